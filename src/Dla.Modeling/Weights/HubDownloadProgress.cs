namespace Dla.Modeling.Weights;

/// <summary>Progress of one weights download, reported after each chunk written to disk.</summary>
/// <param name="BytesReceived">Bytes received so far.</param>
/// <param name="TotalBytes">The file size when the server announced it (Content-Length), otherwise null.</param>
public readonly record struct HubDownloadProgress(long BytesReceived, long? TotalBytes);
