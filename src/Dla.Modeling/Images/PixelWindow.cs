namespace Dla.Modeling.Images;

/// <summary>A rectangle of output pixels: column <see cref="Left"/>, row <see cref="Top"/>, size <see cref="Width"/> × <see cref="Height"/>.</summary>
internal readonly record struct PixelWindow(int Left, int Top, int Width, int Height);
