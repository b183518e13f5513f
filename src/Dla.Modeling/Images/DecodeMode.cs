namespace Dla.Modeling.Images;

/// <summary>How faithfully the decoder reproduces timm's reference pixels.</summary>
public enum DecodeMode
{
    /// <summary>Decode at full size, then resize exactly as PIL does: matches timm to within one 8-bit level.</summary>
    Exact,

    /// <summary>
    /// Let libjpeg scale large JPEGs down in the DCT domain (by n/8) while the shorter side still
    /// covers the resize target, then resize as in <see cref="Exact"/>. Faster for large photos,
    /// at a small, measured drift (docs/preprocessing.md). Other formats decode as in <see cref="Exact"/>.
    /// </summary>
    Fast,
}
