using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dla.Scheduler.Tests.Hosting;

namespace Dla.Scheduler.Tests;

/// <summary>
/// The model and weights files an API request may name (docs/reliability.md, hostile requests): a local path
/// only under Models:AllowedRoots, checked before anything touches it. The traps are FIFOs without a writer:
/// anything that opened one would block, so a request that comes back at all opened nothing.
/// </summary>
public sealed class ModelTrustBoundaryTests : IDisposable
{
    private readonly TestDataset _dataset = new(images: 4);
    private readonly string _work = Directory.CreateTempSubdirectory("dla-trust-").FullName;
    private readonly string _models;
    private readonly string _outside;

    public ModelTrustBoundaryTests()
    {
        _models = Directory.CreateDirectory(Path.Combine(_work, "models")).FullName;
        _outside = Directory.CreateDirectory(Path.Combine(_work, "outside")).FullName;
        File.WriteAllBytes(Path.Combine(_models, "w.safetensors"), TinyCheckpoint.Bytes(classes: 1000));
        File.WriteAllBytes(Path.Combine(_models, "garbage.safetensors"), [1, 2, 3, 4, 5, 6, 7, 8]);
        MakeFifo(Path.Combine(_models, "fifo.safetensors"));
        MakeFifo(Path.Combine(_outside, "secret.safetensors"));
        MakeFifo(Path.Combine(_outside, "secret.onnx"));
        MakeFifo(Path.Combine(_outside, "arch.json"));
        File.CreateSymbolicLink(Path.Combine(_models, "escape.safetensors"), Path.Combine(_outside, "secret.safetensors"));
        Directory.CreateSymbolicLink(Path.Combine(_models, "linked"), _outside);
    }

    public void Dispose()
    {
        _dataset.Dispose();
        Directory.Delete(_work, recursive: true);
    }

    /// <summary>Hostile model and weights references: (model, weights, field, what the message says).</summary>
    private List<(string Model, string? Weights, string Field, string Says)> HostileReferences() =>
    [
        ("dla34", "/etc/passwd", "weights", "is not under any of Models:AllowedRoots"),
        ("dla34", "/proc/self/environ", "weights", "is not under any of Models:AllowedRoots"),
        ("dla34", "/dev/zero", "weights", "is not under any of Models:AllowedRoots"),
        ("dla34", Path.Combine(_outside, "secret.safetensors"), "weights", "is not under any of Models:AllowedRoots"),
        ("dla34", $"{_models}/../outside/secret.safetensors", "weights", "is not under any of Models:AllowedRoots"),
        ("dla34", Path.Combine(_models, "escape.safetensors"), "weights", "is not under any of Models:AllowedRoots"),
        ("dla34", Path.Combine(_models, "linked", "secret.safetensors"), "weights", "is not under any of Models:AllowedRoots"),
        ("dla34", Path.Combine(_models, "fifo.safetensors"), "weights", "is empty or not a regular file"),
        ("dla34", Path.Combine(_models, "missing.safetensors"), "weights", "does not exist"),
        ("dla34", Path.Combine(_models, "garbage.safetensors"), "weights", "safetensors"),
        ("dla34", "file:///etc/passwd", "weights", "'file:' references are not supported"),
        ("dla34", "https://example.invalid/w.safetensors", "weights", "'https:' references are not supported"),
        ("dla34", "models/w.safetensors", "weights", "must be an absolute path"),
        ("dla34", "azure://other-models/w.safetensors", "weights", "is not one of Models:AllowedContainers (none is configured)"),
        ("dla34", "azure://Bad_Name/w.safetensors", "weights", "is not a valid blob container name"),
        ("dla34", "azure://models/w.bin", "weights", "is not a .safetensors or .onnx file"),
        ("dla34", "azure://models/", "weights", "names no file"),
        ("azure://other-models/m.onnx", null, "model", "is not one of Models:AllowedContainers"),
        (Path.Combine(_outside, "secret.onnx"), null, "model", "is not under any of Models:AllowedRoots"),
        ("/dev/stdin.onnx", null, "model", "is not under any of Models:AllowedRoots"),
        (Path.Combine(_outside, "arch.json"), "random", "model", "is not under any of Models:AllowedRoots"),
        (Path.Combine(_models, "linked", "arch.json"), "random", "model", "is not under any of Models:AllowedRoots"),
    ];

    [Fact]
    public async Task Local_model_files_outside_the_allowed_roots_are_400_naming_the_field_and_never_opened()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var host = await SchedulerHost.StartSqliteAsync(_dataset.SqliteFile, _dataset.Root, new Dictionary<string, string?> { ["Models:AllowedRoots:0"] = _models });
        var wrong = new List<string>();

        foreach (var (model, weights, field, says) in HostileReferences())
        {
            var (status, problem) = await SubmitAsync(host, model, weights, ct);
            var messages = problem.TryGetProperty("errors", out var errors) && errors.TryGetProperty(field, out var list) ? list.ToString() : "";
            if (status != HttpStatusCode.BadRequest || !messages.Contains(says, StringComparison.Ordinal))
            {
                wrong.Add($"model {model}, weights {weights}: {(int)status} {problem}");
            }
        }

        Assert.Empty(wrong);
        var jobs = await host.Http.GetFromJsonAsync<JsonElement>("/jobs", ct);
        Assert.Equal(0, jobs.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task A_weights_file_under_an_allowed_root_is_accepted()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var host = await SchedulerHost.StartSqliteAsync(_dataset.SqliteFile, _dataset.Root, new Dictionary<string, string?> { ["Models:AllowedRoots:0"] = _models });

        var (status, problem) = await SubmitAsync(host, "dla34", Path.Combine(_models, "w.safetensors"), ct);

        Assert.True(status == HttpStatusCode.Created, problem.ToString());
        // Pinned to the file's content at submission.
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Path.Combine(_models, "w.safetensors")))), problem.GetProperty("weights_sha256").GetString());
    }

    [Fact]
    public async Task Without_allowed_roots_no_local_model_file_may_be_named()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var host = await SchedulerHost.StartSqliteAsync(_dataset.SqliteFile, _dataset.Root);

        var (status, problem) = await SubmitAsync(host, "dla34", Path.Combine(_models, "w.safetensors"), ct);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("none is configured", problem.GetProperty("errors").GetProperty("weights").ToString(), StringComparison.Ordinal);
    }

    private async Task<(HttpStatusCode Status, JsonElement Problem)> SubmitAsync(SchedulerHost host, string model, string? weights, CancellationToken ct)
    {
        using var response = await host.Http.PostAsJsonAsync("/jobs", new { dataset = _dataset.Root, model, weights }, ct);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>(ct));
    }

    private static void MakeFifo(string path)
    {
        using var mkfifo = Process.Start("mkfifo", [path]);
        mkfifo.WaitForExit();
        Assert.Equal(0, mkfifo.ExitCode);
    }
}
