using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;

namespace Dla.Integration.Tests.Deployment;

/// <summary>YAML documents as plain dictionaries, lists and strings, with merge keys (<c>&lt;&lt;: *anchor</c>) applied.</summary>
internal static class Yaml
{
    private static readonly IDeserializer Deserializer = new DeserializerBuilder().Build();

    /// <summary>Every non-empty document of <paramref name="text"/>.</summary>
    public static List<Dictionary<object, object?>> LoadAll(string text)
    {
        var parser = new MergingParser(new Parser(new StringReader(text)));
        parser.Consume<StreamStart>();
        var documents = new List<Dictionary<object, object?>>();
        while (parser.Accept<DocumentStart>(out _))
        {
            if (Deserializer.Deserialize<Dictionary<object, object?>?>(parser) is { } document)
            {
                documents.Add(document);
            }
        }
        return documents;
    }

    /// <summary>The node at <paramref name="path"/> (mapping keys), or null where any step is missing.</summary>
    public static object? At(object? node, params string[] path)
    {
        foreach (var key in path)
        {
            node = node is Dictionary<object, object?> map && map.TryGetValue(key, out var child) ? child : null;
        }
        return node;
    }

    public static Dictionary<object, object?> Map(object? node, params string[] path) => At(node, path) as Dictionary<object, object?> ?? [];

    public static List<object?> List(object? node, params string[] path) => At(node, path) as List<object?> ?? [];

    public static string? Text(object? node, params string[] path) => At(node, path) as string;
}
