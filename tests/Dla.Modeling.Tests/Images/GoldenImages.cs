using System.Text.Json;
using Dla.Modeling.Weights;

namespace Dla.Modeling.Tests.Images;

/// <summary>The golden image set: readable file names, the reference tensors and a diff measure.</summary>
internal sealed class GoldenImages
{
    private readonly SafeTensorsFile _tensors;

    private GoldenImages(string folder, IReadOnlyList<string> readable, SafeTensorsFile tensors)
    {
        Folder = folder;
        Readable = readable;
        _tensors = tensors;
    }

    public string Folder { get; }

    /// <summary>Files PIL could read, in name order.</summary>
    public IReadOnlyList<string> Readable { get; }

    /// <summary>Loads the set, skipping the calling test when the golden data is absent.</summary>
    public static GoldenImages Require()
    {
        var root = GoldenData.RequirePath("images");
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, "images.json")));
        var readable = json.RootElement.GetProperty("images").EnumerateObject()
            .Where(image => image.Value.GetProperty("readable").GetBoolean())
            .Select(image => image.Name)
            .Order(StringComparer.Ordinal)
            .ToList();
        return new GoldenImages(root, readable, SafeTensorsFile.Open(Path.Combine(root, "preprocess.safetensors")));
    }

    public byte[] Bytes(string name) => File.ReadAllBytes(Path.Combine(Folder, "files", name));

    public float[] Expected(string name) => _tensors.ReadFloat32(name);

    /// <summary>Mean and max absolute difference between two equally long tensors.</summary>
    public static (double Mean, double Max) Diff(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected)
    {
        Assert.Equal(expected.Length, actual.Length);
        double sum = 0, max = 0;
        for (var i = 0; i < actual.Length; i++)
        {
            var d = Math.Abs((double)actual[i] - expected[i]);
            sum += d;
            max = Math.Max(max, d);
        }

        return (sum / actual.Length, max);
    }
}
