using System.CommandLine;
using System.Diagnostics;
using Dla.Cli.Common;
using Dla.Contracts;
using Dla.Persistence.Database;
using Dla.Datasets;
using Dla.Persistence.Jobs;
using Dla.Scheduler.Export;
using Dla.Scheduler.Jobs;
using Dla.Worker.Inference;
using Microsoft.Extensions.DependencyInjection;

namespace Dla.Cli.Run;

/// <summary><c>dla run &lt;folder | azure://container/prefix&gt;</c>: a whole job in one process, resumable.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var dataset = new Argument<string>("dataset") { Description = "A folder, or azure://container/prefix (with ConnectionStrings__BlobStorage set)" };
        var model = new Option<string>("--model", "-m") { Description = "Variant, architecture .json, or .onnx", DefaultValueFactory = _ => "dla34" };
        var weights = new Option<string?>("--weights") { Description = "Safetensors path, hf:REPO, or random (default: timm's pretrained weights)" };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 0, Description = "Seed for --weights random" };
        var numClasses = new Option<int?>("--num-classes") { Description = "Classifier size for --weights random" };
        var precision = new Option<string>("--precision") { DefaultValueFactory = _ => "fp32", Description = "fp32 or fp16" };
        var tasks = new Option<string>("--tasks") { DefaultValueFactory = _ => "classify,embed", Description = "classify, embed, or both" };
        var topK = new Option<int>("--top-k") { DefaultValueFactory = _ => 5, Description = "Classes stored per image" };
        var batchSize = new Option<int>("--batch-size") { DefaultValueFactory = _ => 32, Description = "Images per batch" };
        var priority = new Option<int>("--priority") { DefaultValueFactory = _ => Persistence.Jobs.JobPriority.Default, Description = "Weight in the fair share with other jobs of this database, 1-100" };
        var db = new Option<string?>("--db") { Description = "Database connection string (default: SQLite file in the data directory)" };
        var dataDir = new Option<string?>("--data-dir") { Description = "Where the SQLite database lives (default $DLA_DATA_DIR or ~/.local/share/dla)" };
        var export = new Option<string?>("--export") { Description = "Write the results to FILE.parquet, .csv or .jsonl at the end" };
        var provider = new Option<string>("--provider") { DefaultValueFactory = _ => "cpu", Description = "cpu or cuda" };
        var threads = new Option<int>("--threads") { DefaultValueFactory = _ => 0, Description = "ONNX Runtime intra-op threads (0: one per core)" };
        var maxFailed = new Option<int?>("--max-failed") { Description = "Fail the job after more than N failed images" };
        var maxFailedPercent = new Option<double?>("--max-failed-percent") { Description = "Fail the job when more than P % of images failed" };
        var verbose = new Option<bool>("--verbose") { Description = "Log what the scheduler and worker do" };
        var decode = new Option<string>("--decode") { Description = "exact (timm-identical) or fast (DCT-domain JPEG downscaling, several times faster)", DefaultValueFactory = _ => "exact" };
        var labels = new Option<string?>("--labels") { Description = "Class names of a fine-tuned classifier, one per line in class order" };
        var embeddingPrecision = EmbeddingPrecisionOption.Create();
        var command = new Command("run", "Label and/or embed a dataset in this process (no servers); rerunning resumes")
        {
            dataset, model, weights, seed, numClasses, precision, tasks, topK, batchSize, priority, db, dataDir, export, provider, threads, maxFailed, maxFailedPercent, verbose, labels, decode, embeddingPrecision,
        };
        command.SetAction(async (r, ct) =>
        {
            var directory = r.GetValue(dataDir) ?? Environment.GetEnvironmentVariable("DLA_DATA_DIR")
                ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "dla");
            Directory.CreateDirectory(directory);
            var settings = new RunSettings(r.GetValue(dataset)!, r.GetValue(model)!, r.GetValue(weights), r.GetValue(seed), r.GetValue(numClasses),
                r.GetValue(precision)!, r.GetValue(tasks)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), r.GetValue(topK),
                r.GetValue(batchSize), r.GetValue(priority), r.GetValue(db) ?? $"Data Source={Path.Combine(directory, "dla.db")}", r.GetValue(export), r.GetValue(provider)!,
                r.GetValue(threads), r.GetValue(maxFailed), r.GetValue(maxFailedPercent), r.GetValue(verbose), r.GetValue(labels), r.GetValue(decode)!,
                r.GetValue(embeddingPrecision)!);
            return await RunAsync(settings, ct);
        });
        return command;
    }

    private static async Task<int> RunAsync(RunSettings settings, CancellationToken ct)
    {
        var location = DatasetLocation.Parse(settings.Dataset);
        using var host = EmbeddedHost.Build(settings);
        await host.StartAsync(ct);
        try
        {
            Console.Error.WriteLine($"dla run: {location} with {settings.Model}; database {Redact(settings.Database)}");
            var (jobId, model, before) = await StartJobAsync(host.Services, settings, location, ct);
            if (string.Equals(settings.Weights, "random", StringComparison.OrdinalIgnoreCase))
            {
                Console.Error.WriteLine($"warning: {settings.Model} runs with untrained random weights (seed {settings.Seed}): its labels and embeddings are meaningless, and every exported row is marked untrained. Leave out --weights for timm's pretrained weights.");
            }
            var clock = Stopwatch.StartNew();
            OpenModelWhilePlanning(host.Services, model, ct);
            var bar = new ProgressBar();
            var progress = await ReadProgressAsync(host.Services, jobId, ct);
            while (!progress.IsFinal)
            {
                bar.Draw(progress);
                await Task.Delay(500, ct);
                progress = await ReadProgressAsync(host.Services, jobId, ct);
            }
            var processed = progress.Succeeded + progress.Failed - before;
            // The live rate is over the last seconds (0 once nothing is left); the last line shows the run's average.
            bar.Draw(progress with { ImagesPerSecond = processed / Math.Max(clock.Elapsed.TotalSeconds, 1e-9) }, final: true);
            Console.Error.WriteLine($"job {jobId}: {progress.State}; {progress.Total} images: {progress.Succeeded} succeeded, {progress.Failed} failed" +
                $"; {processed} processed now in {clock.Elapsed.TotalSeconds:F1} s ({processed / Math.Max(clock.Elapsed.TotalSeconds, 1e-9):F1} images/s)" +
                (before > 0 ? $", {before} already done by an earlier run (not processed again)" : ""));
            if (progress.FailureReason is { } reason)
            {
                Console.Error.WriteLine($"reason: {reason}");
            }
            if (settings.Export is { } file)
            {
                await ExportAsync(host.Services, jobId, file, ct);
            }
            return progress.State == JobState.Succeeded ? 0 : 1;
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }
    }

    /// <summary>
    /// Starts opening the job's model now, so it loads while the job is planned and its first batch
    /// dispatched (about a second) instead of after the first batch arrives. The worker's batches share
    /// the same session; a failure here is theirs to report (and retry), so it is only observed.
    /// </summary>
    private static void OpenModelWhilePlanning(IServiceProvider services, ModelSpec model, CancellationToken ct) =>
        _ = services.GetRequiredService<ModelSessions>().GetAsync(model, ct)
            .ContinueWith(t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);

    private static async Task<(Guid JobId, ModelSpec Model, long Before)> StartJobAsync(IServiceProvider services, RunSettings settings, DatasetLocation location, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var request = new JobRequest
        {
            Dataset = location.ToString(), Model = settings.Model, Weights = settings.Weights, Seed = settings.Seed, NumClasses = settings.NumClasses,
            Precision = settings.Precision, Decode = settings.Decode, EmbeddingPrecision = settings.EmbeddingPrecision, Tasks = settings.Tasks, TopK = settings.TopK, BatchSize = settings.BatchSize,
            Priority = settings.Priority,
            MaxFailedImages = settings.MaxFailedImages, MaxFailedPercent = settings.MaxFailedPercent,
            Labels = settings.Labels is null ? null : System.Text.Json.JsonSerializer.SerializeToElement(Path.GetFullPath(settings.Labels)),
        };
        var db = scope.ServiceProvider.GetRequiredService<DlaDbContext>();
        var tasks = settings.Tasks.Aggregate(JobTasks.None, (all, name) => all | JobView.TaskFlag(name));
        if (await JobResumption.FindAsync(db, request, tasks, location.ToString(), ct) is { } existing)
        {
            var before = await JobResumption.ResumeAsync(db, existing, ct);
            Console.Error.WriteLine($"resuming job {existing.Id} ({before} images already have an outcome)");
            return (existing.Id, existing.ModelSpec(), before);
        }
        var job = await scope.ServiceProvider.GetRequiredService<JobService>().SubmitAsync(request, cancellationToken: ct);
        Console.Error.WriteLine($"job {job.Id} submitted");
        return (job.Id, job.ModelSpec(), 0);
    }

    private static async Task<Dla.Scheduler.Progress.ProgressReport> ReadProgressAsync(IServiceProvider services, Guid jobId, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<JobService>().GetProgressAsync(jobId, ct);
    }

    private static async Task ExportAsync(IServiceProvider services, Guid jobId, string file, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var job = await scope.ServiceProvider.GetRequiredService<JobService>().GetAsync(jobId, ct);
        var settings = ExportSettings.For(job);
        var writer = ExportFormats.Create(Path.GetExtension(file).TrimStart('.'), settings);
        await using var output = File.Create(file);
        await writer.WriteAsync(ExportRows.ReadAllAsync(services.GetRequiredService<IDlaDbContextFactory>(), jobId, settings.Embed, ct), output, ct);
        Console.Error.WriteLine($"exported to {Path.GetFullPath(file)}");
    }

    private static string Redact(string connection) =>
        string.Join(';', connection.Split(';').Where(p => !p.TrimStart().StartsWith("Password", StringComparison.OrdinalIgnoreCase)));
}
