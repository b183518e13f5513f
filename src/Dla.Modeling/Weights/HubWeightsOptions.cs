namespace Dla.Modeling.Weights;

/// <summary>
/// Settings of <see cref="HuggingFaceHub"/>. Unset properties fall back to the environment
/// variables huggingface_hub itself reads, so a mirror or token configured for Python tools
/// works here too.
/// </summary>
public sealed class HubWeightsOptions
{
    /// <summary>The public Hugging Face Hub.</summary>
    public const string DefaultEndpoint = "https://huggingface.co";

    /// <summary>Environment variable naming a mirror of the hub (as in huggingface_hub).</summary>
    public const string EndpointVariable = "HF_ENDPOINT";

    /// <summary>Environment variable holding an access token for private or gated repositories.</summary>
    public const string TokenVariable = "HF_TOKEN";

    /// <summary>Environment variable naming the cache root of this project.</summary>
    public const string CacheDirectoryVariable = "DLA_CACHE_DIR";

    /// <summary>
    /// Base URL of the hub, e.g. <c>https://huggingface.co</c> or a mirror (a path prefix is kept).
    /// Null: <c>HF_ENDPOINT</c> when set and non-empty, else <see cref="DefaultEndpoint"/>.
    /// </summary>
    public string? Endpoint { get; set; }

    /// <summary>
    /// Cache root; downloads go under <c>hub/</c> in it. Null: <c>$DLA_CACHE_DIR</c>, else
    /// <c>$XDG_CACHE_HOME/dla</c>, else <c>~/.cache/dla</c>.
    /// </summary>
    public string? CacheDirectory { get; set; }

    /// <summary>Bearer token sent to the hub's host (never to the CDN it redirects to). Null: <c>HF_TOKEN</c>.</summary>
    public string? Token { get; set; }

    /// <summary>Longest wait for a TCP connection when this client owns its HttpClient.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Longest wait for the response headers or for the next chunk of the body. It bounds stalls,
    /// not the whole download, so large files on slow links still complete.
    /// </summary>
    public TimeSpan ReadTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
