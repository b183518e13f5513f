namespace Dla.Modeling.Images;

/// <summary>
/// timm's eval-time data config for a model (<c>resolve_data_config</c>): every number the
/// preprocessing uses comes from here, never from literals elsewhere.
/// </summary>
/// <param name="InputHeight">Height of the network input in pixels (224 for every DLA variant).</param>
/// <param name="InputWidth">Width of the network input in pixels.</param>
/// <param name="CropPct">Fraction of the resized image kept by the centre crop; the shorter side is resized to <c>floor(input / crop_pct)</c>.</param>
/// <param name="Mean">Per-channel RGB mean, in [0, 1] pixel units.</param>
/// <param name="Std">Per-channel RGB standard deviation, in [0, 1] pixel units.</param>
/// <param name="Interpolation">Resize filter; timm's DLA configs use <c>bilinear</c>.</param>
public sealed record PreprocessConfig(
    int InputHeight,
    int InputWidth,
    double CropPct,
    float[] Mean,
    float[] Std,
    string Interpolation)
{
    /// <summary>The configuration of every timm DLA variant: 224×224, crop 0.875, ImageNet mean/std, bilinear.</summary>
    public static PreprocessConfig ImageNetDefault { get; } = new(
        224, 224, 0.875, [0.485f, 0.456f, 0.406f], [0.229f, 0.224f, 0.225f], "bilinear");

    /// <summary>The same configuration at another square input size.</summary>
    public PreprocessConfig WithInputSize(int height, int width) => this with { InputHeight = height, InputWidth = width };
}
