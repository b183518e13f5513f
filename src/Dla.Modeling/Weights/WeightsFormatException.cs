namespace Dla.Modeling.Weights;

/// <summary>A weights file is malformed or does not fit the model (the message names the key and shapes).</summary>
public sealed class WeightsFormatException : Exception
{
    /// <summary>Creates the exception.</summary>
    public WeightsFormatException(string message) : base(message) { }

    /// <summary>Creates the exception with its cause.</summary>
    public WeightsFormatException(string message, Exception inner) : base(message, inner) { }

    /// <summary>Creates the exception.</summary>
    public WeightsFormatException() { }
}
