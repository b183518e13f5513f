namespace Dla.Modeling.Images;

/// <summary>
/// Where timm's eval transform puts an image: the size <c>Resize</c> produces and the offset of
/// the <c>CenterCrop</c> window in the resized image. A negative offset means torchvision pads
/// that side with zeros because the resized image is smaller than the crop.
/// </summary>
internal readonly record struct EvalGeometry(int ResizedWidth, int ResizedHeight, int CropLeft, int CropTop)
{
    public static EvalGeometry For(int width, int height, PreprocessConfig config)
    {
        // timm: scale_size = math.floor(img_size / crop_pct), per side.
        var scaleHeight = (int)Math.Floor(config.InputHeight / config.CropPct);
        var scaleWidth = (int)Math.Floor(config.InputWidth / config.CropPct);
        var (resizedWidth, resizedHeight) = scaleHeight == scaleWidth
            ? ShorterSideTo(width, height, scaleHeight)
            : KeepRatioTo(width, height, scaleWidth, scaleHeight);
        return new EvalGeometry(
            resizedWidth,
            resizedHeight,
            CropOffset(resizedWidth, config.InputWidth),
            CropOffset(resizedHeight, config.InputHeight));
    }

    /// <summary>torchvision <c>Resize(int)</c>: the shorter side becomes <paramref name="size"/>, the longer one <c>int(size * long / short)</c>.</summary>
    internal static (int Width, int Height) ShorterSideTo(int width, int height, int size)
    {
        var (shorter, longer) = width <= height ? (width, height) : (height, width);
        var newLonger = (int)((double)((long)size * longer) / shorter);
        return width <= height ? (size, newLonger) : (newLonger, size);
    }

    /// <summary>timm's <c>ResizeKeepRatio</c> (used for non-square inputs): scale by the smaller ratio, round half to even.</summary>
    internal static (int Width, int Height) KeepRatioTo(int width, int height, int targetWidth, int targetHeight)
    {
        var ratio = Math.Min((double)height / targetHeight, (double)width / targetWidth);
        return ((int)Math.Round(width / ratio, MidpointRounding.ToEven), (int)Math.Round(height / ratio, MidpointRounding.ToEven));
    }

    /// <summary>
    /// torchvision <c>CenterCrop</c>: <c>int(round((size - crop) / 2.0))</c> with Python's
    /// half-to-even rounding; when the image is smaller it is first padded by <c>(crop - size) // 2</c>
    /// on the leading side.
    /// </summary>
    internal static int CropOffset(int size, int crop) =>
        crop > size ? -((crop - size) / 2) : (int)Math.Round((size - crop) / 2.0, MidpointRounding.ToEven);
}
