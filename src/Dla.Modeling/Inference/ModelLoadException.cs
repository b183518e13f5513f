namespace Dla.Modeling.Inference;

/// <summary>A model reference could not be resolved or its graph cannot be used.</summary>
public sealed class ModelLoadException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ModelLoadException(string message) : base(message) { }

    /// <summary>Creates the exception with its cause.</summary>
    public ModelLoadException(string message, Exception inner) : base(message, inner) { }

    /// <summary>Creates the exception.</summary>
    public ModelLoadException() { }
}
