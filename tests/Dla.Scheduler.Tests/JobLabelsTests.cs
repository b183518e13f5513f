using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dla.Scheduler.Tests.Hosting;

namespace Dla.Scheduler.Tests;

/// <summary>
/// <c>labels</c> on submission: a list or a file of class names, checked against the classifier where its size is
/// known without reading weights, confined like model files, and refused field by field.
/// </summary>
public sealed class JobLabelsTests : IDisposable
{
    private readonly TestDataset _dataset = new(images: 4);
    private readonly string _models = Directory.CreateTempSubdirectory("dla-labels-").FullName;

    public void Dispose()
    {
        _dataset.Dispose();
        Directory.Delete(_models, recursive: true);
    }

    [Fact]
    public async Task A_list_or_a_file_of_names_is_stored_with_the_job()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var host = await StartAsync();
        var file = Path.Combine(_models, "names.txt");
        await File.WriteAllTextAsync(file, "cat\r\ndog\nbird\n\n", ct);

        var inline = await SubmitAsync(host, new { dataset = _dataset.Root, model = "dla34", weights = "random", num_classes = 3, labels = new[] { "cat", "dog", "bird" } }, ct);
        var fromFile = await SubmitAsync(host, new { dataset = _dataset.Root, model = "dla34", weights = "random", num_classes = 3, labels = file }, ct);

        Assert.Equal((HttpStatusCode.Created, 3), (inline.Status, inline.Body.GetProperty("label_count").GetInt32()));
        Assert.Equal((HttpStatusCode.Created, 3), (fromFile.Status, fromFile.Body.GetProperty("label_count").GetInt32()));
        var job = await host.Http.GetFromJsonAsync<JsonElement>($"/jobs/{fromFile.Body.GetProperty("id").GetGuid()}", ct);
        Assert.Equal(3, job.GetProperty("label_count").GetInt32());
    }

    [Fact]
    public async Task The_count_is_checked_against_a_checkpoints_classifier_read_from_its_header()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var host = await StartAsync();
        var checkpoint = Path.Combine(_models, "cats.safetensors");
        await File.WriteAllBytesAsync(checkpoint, TinyCheckpoint.Bytes(classes: 3), ct);

        var fits = await SubmitAsync(host, new { dataset = _dataset.Root, model = "dla34", weights = checkpoint, labels = new[] { "tabby", "siamese", "persian" } }, ct);
        var short_ = await SubmitAsync(host, new { dataset = _dataset.Root, model = "dla34", weights = checkpoint, labels = new[] { "tabby", "siamese" } }, ct);

        Assert.Equal(HttpStatusCode.Created, fits.Status);
        Assert.Equal(HttpStatusCode.BadRequest, short_.Status);
        Assert.Contains("2 class names were given, but the classifier has 3 classes", short_.Body.GetProperty("errors").GetProperty("labels").ToString(), StringComparison.Ordinal);
    }

    public static TheoryData<string, string> BadLabels => new()
    {
        { """{"weights": "random", "num_classes": 3, "labels": ["cat", "dog"]}""", "2 class names were given, but the classifier has 3 classes" },
        { """{"labels": ["cat", "dog"]}""", "2 class names were given, but the classifier has 1000 classes" },
        { """{"weights": "random", "num_classes": 2, "labels": ["cat", 7]}""", "Every class name must be a string" },
        { """{"weights": "random", "num_classes": 2, "labels": ["cat", " "]}""", "must be non-empty single lines" },
        { """{"weights": "random", "num_classes": 2, "labels": []}""", "Give between 1 and 100000 class names" },
        { """{"weights": "random", "labels": {"0": "cat"}}""", "Give a list of class names, or a file" },
        { """{"weights": "random", "labels": "/etc/passwd"}""", "is not under any of Models:AllowedRoots" },
        { """{"weights": "random", "labels": "azure://names/n.txt"}""", "is not one of Models:AllowedContainers" },
    };

    [Theory]
    [MemberData(nameof(BadLabels))]
    public async Task Bad_labels_are_400_naming_labels(string fields, string says)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var host = await StartAsync();
        var body = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(fields)!;
        body["dataset"] = JsonSerializer.SerializeToElement(_dataset.Root);
        body["model"] = JsonSerializer.SerializeToElement("dla34");

        var (status, problem) = await SubmitAsync(host, body, ct);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(says, problem.GetProperty("errors").GetProperty("labels").ToString(), StringComparison.Ordinal);
    }

    private Task<SchedulerHost> StartAsync() =>
        SchedulerHost.StartSqliteAsync(_dataset.SqliteFile, _dataset.Root, new Dictionary<string, string?> { ["Models:AllowedRoots:0"] = _models });

    private static async Task<(HttpStatusCode Status, JsonElement Body)> SubmitAsync(SchedulerHost host, object body, CancellationToken ct)
    {
        using var response = await host.Http.PostAsJsonAsync("/jobs", body, ct);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>(ct));
    }
}
