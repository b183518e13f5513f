using System.Collections.ObjectModel;
using System.Globalization;

namespace Dla.Modeling.Labels;

/// <summary>
/// The 1000 ImageNet-1k class names in the index order of timm's classifiers, so top-k results
/// of an ImageNet-trained model can be shown by name.
/// </summary>
/// <remarks>
/// The names come verbatim from the <c>IMAGENET_CLASSES</c> table of the npm package
/// <c>@tensorflow-models/mobilenet</c> 2.1.1 (Apache-2.0) and ship as the embedded resource
/// <c>imagenet-1k.txt</c>, one name per line.
/// </remarks>
public static class ImageNetLabels
{
    /// <summary>Number of classes in ImageNet-1k.</summary>
    public const int ClassCount = 1000;

    private const string ResourceName = "Dla.Modeling.Labels.imagenet-1k.txt";

    private static readonly Lazy<IReadOnlyList<string>> Names = new(Load);

    /// <summary>The class names, index 0 (<c>tench, Tinca tinca</c>) to 999.</summary>
    public static IReadOnlyList<string> All => Names.Value;

    /// <summary>
    /// A display name for a class index: the ImageNet name when the model has 1000 classes (timm's
    /// ImageNet heads), otherwise <c>class_{index}</c>, because a fine-tuned head's classes are unknown here.
    /// </summary>
    /// <param name="index">Zero-based class index, below <paramref name="numClasses"/>.</param>
    /// <param name="numClasses">Number of outputs of the model's classifier.</param>
    /// <exception cref="ArgumentOutOfRangeException">The index is negative or not below <paramref name="numClasses"/>.</exception>
    public static string LabelFor(int index, int numClasses)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, numClasses);
        return numClasses == ClassCount ? All[index] : string.Create(CultureInfo.InvariantCulture, $"class_{index}");
    }

    private static ReadOnlyCollection<string> Load()
    {
        using var stream = typeof(ImageNetLabels).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"Embedded resource '{ResourceName}' is missing from {typeof(ImageNetLabels).Assembly.GetName().Name}.");
        using var reader = new StreamReader(stream);
        var names = new List<string>(ClassCount);
        while (reader.ReadLine() is { } line)
        {
            names.Add(line);
        }
        if (names.Count != ClassCount)
        {
            throw new InvalidOperationException($"Embedded resource '{ResourceName}' holds {names.Count} names, expected {ClassCount}.");
        }
        return names.AsReadOnly();
    }
}
