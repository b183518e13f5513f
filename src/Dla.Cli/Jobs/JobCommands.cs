using System.CommandLine;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dla.Cli.Common;
using Dla.Scheduler.Jobs;

namespace Dla.Cli.Jobs;

/// <summary><c>dla submit | jobs | status | cancel | retry | export | search</c> against a running scheduler.</summary>
internal static class JobCommands
{
    private static readonly System.Text.Json.JsonSerializerOptions Indented = new() { WriteIndented = true };

    private static readonly Option<string?> Api = new("--api") { Description = "Scheduler URL (default $DLA_API_URL or http://127.0.0.1:8080)" };

    // DLA_API_KEY is the better place for it: a command line is visible to every user of the machine (ps).
    private static readonly Option<string?> ApiKey = new("--api-key") { Description = "The scheduler's API key, sent as a bearer token (default $DLA_API_KEY)" };

    public static IEnumerable<Command> Create() => [Submit(), List(), Status(), Cancel(), Delete(), Retry(), Priority(), Export(), Search()];

    private static Command Submit()
    {
        var dataset = new Argument<string>("dataset") { Description = "azure://container/prefix, or a folder under the scheduler's allowed roots" };
        var model = new Option<string>("--model", "-m") { DefaultValueFactory = _ => "dla34" };
        var weights = new Option<string?>("--weights");
        var seed = new Option<int>("--seed");
        var numClasses = new Option<int?>("--num-classes");
        var precision = new Option<string>("--precision") { DefaultValueFactory = _ => "fp32" };
        var tasks = new Option<string>("--tasks") { DefaultValueFactory = _ => "classify,embed" };
        var topK = new Option<int>("--top-k") { DefaultValueFactory = _ => 5 };
        var batchSize = new Option<int>("--batch-size") { DefaultValueFactory = _ => 32 };
        var priority = new Option<int>("--priority") { DefaultValueFactory = _ => Persistence.Jobs.JobPriority.Default, Description = "Weight in the fair share between running jobs, 1-100" };
        var maxFailed = new Option<int?>("--max-failed");
        var maxFailedPercent = new Option<double?>("--max-failed-percent");
        var decode = new Option<string>("--decode") { Description = "exact (timm-identical) or fast (DCT-domain JPEG downscaling)", DefaultValueFactory = _ => "exact" };
        var labels = new Option<string?>("--labels") { Description = "Class names, one per line: a file under the scheduler's Models:AllowedRoots, or azure://container/names.txt" };
        var embeddingPrecision = EmbeddingPrecisionOption.Create();
        var command = new Command("submit", "Submit a job to the scheduler; prints its id") { dataset, model, weights, seed, numClasses, precision, tasks, topK, batchSize, priority, maxFailed, maxFailedPercent, labels, decode, embeddingPrecision, Api, ApiKey };
        command.SetAction(async (r, ct) =>
        {
            using var client = Client(r);
            var job = await client.PostAsync("jobs", new
            {
                dataset = r.GetValue(dataset), model = r.GetValue(model), weights = r.GetValue(weights), seed = r.GetValue(seed), num_classes = r.GetValue(numClasses),
                precision = r.GetValue(precision), tasks = r.GetValue(tasks)!.Split(','), top_k = r.GetValue(topK), batch_size = r.GetValue(batchSize),
                priority = r.GetValue(priority),
                max_failed_images = r.GetValue(maxFailed), max_failed_percent = r.GetValue(maxFailedPercent), labels = r.GetValue(labels), decode = r.GetValue(decode),
                embedding_precision = r.GetValue(embeddingPrecision),
            }, ct);
            Console.WriteLine(job["id"]);
        });
        return command;
    }

    private static Command List()
    {
        var page = new Option<int>("--page") { DefaultValueFactory = _ => 1 };
        var json = new Option<bool>("--json") { Description = "Print the API's JSON document instead of the table" };
        var command = new Command("jobs", "List jobs, newest first") { page, json, Api, ApiKey };
        command.SetAction(async (r, ct) =>
        {
            using var client = Client(r);
            var result = await client.GetAsync($"jobs?page={r.GetValue(page)}&pageSize=50&progress=true", ct);
            if (r.GetValue(json))
            {
                Console.WriteLine(result.ToJsonString(Indented));
                return;
            }
            var jobs = result["jobs"].Deserialize<List<JobView>>(SchedulerClient.Json)!;
            if (jobs.Count == 0)
            {
                Console.WriteLine(r.GetValue(page) > 1 ? $"No jobs on page {r.GetValue(page)}." : "No jobs yet: dla submit <dataset> starts one.");
                return;
            }
            foreach (var line in JobText.Table(jobs))
            {
                Console.WriteLine(line);
            }
        });
        return command;
    }

    private static Command Status()
    {
        var id = new Argument<string>("id");
        var watch = new Option<bool>("--watch") { Description = "Follow progress until the job ends" };
        var json = new Option<bool>("--json") { Description = "Print the API's JSON document instead of the summary" };
        var command = new Command("status", "Show a job's exact progress") { id, watch, json, Api, ApiKey };
        command.SetAction(async (r, ct) =>
        {
            using var client = Client(r);
            var bar = new Run.ProgressBar();
            while (true)
            {
                var document = await client.GetAsync($"jobs/{r.GetValue(id)}", ct);
                var job = document.Deserialize<JobView>(SchedulerClient.Json)!;
                var progress = job.Progress!;
                if (!r.GetValue(watch))
                {
                    foreach (var line in r.GetValue(json) ? [document.ToJsonString(Indented)] : JobText.Summary(job))
                    {
                        Console.WriteLine(line);
                    }
                    return 0;
                }
                bar.Draw(progress, progress.IsFinal);
                if (progress.IsFinal)
                {
                    Console.WriteLine($"{progress.State}: {progress.Succeeded} succeeded, {progress.Failed} failed of {progress.Total}{(progress.FailureReason is { } reason ? $" ({reason})" : "")}");
                    return progress.State == Persistence.Jobs.JobState.Succeeded ? 0 : 1;
                }
                await Task.Delay(1000, ct);
            }
        });
        return command;
    }

    private static Command Delete()
    {
        var id = new Argument<string>("id");
        var command = new Command("delete", "Delete a job: cancel it if it runs, then remove its manifest, results, errors and index") { id, Api, ApiKey };
        command.SetAction(async (r, ct) =>
        {
            using var client = Client(r);
            await client.DeleteAsync($"jobs/{r.GetValue(id)}", ct);
            Console.WriteLine($"deleted {r.GetValue(id)} (its rows are removed in the background)");
        });
        return command;
    }

    private static Command Cancel() => Simple("cancel", "Cancel a job (partial results stay)", "cancel");

    private static Command Retry() => Simple("retry", "Re-queue only the failed batches and transiently failed images", "retry-failed");

    private static Command Priority()
    {
        var id = new Argument<string>("id");
        var priority = new Argument<int>("priority") { Description = "The job's new weight in the fair share, 1-100" };
        var command = new Command("priority", "Change a pending or running job's priority (takes effect at the next dispatch round)") { id, priority, Api, ApiKey };
        command.SetAction(async (r, ct) =>
        {
            using var client = Client(r);
            var job = await client.PutAsync($"jobs/{r.GetValue(id)}/priority", new { priority = r.GetValue(priority) }, ct);
            Console.WriteLine($"{job["id"]}  priority {job["priority"]}");
        });
        return command;
    }

    private static Command Simple(string name, string description, string action)
    {
        var id = new Argument<string>("id");
        var command = new Command(name, description) { id, Api, ApiKey };
        command.SetAction(async (r, ct) =>
        {
            using var client = Client(r);
            Console.WriteLine((await client.PostAsync($"jobs/{r.GetValue(id)}/{action}", (object?)null, ct)).ToJsonString());
        });
        return command;
    }

    private static Command Export()
    {
        var id = new Argument<string>("id");
        var output = new Option<FileInfo>("--output", "-o") { Required = true, Description = "FILE.parquet, .csv or .jsonl" };
        var command = new Command("export", "Download a job's results") { id, output, Api, ApiKey };
        command.SetAction(async (r, ct) =>
        {
            var file = r.GetValue(output)!;
            var format = file.Extension.TrimStart('.').ToLowerInvariant();
            var names = Scheduler.Export.ExportFormats.Names;
            if (!names.Contains(format))
            {
                throw new ArgumentException($"--output '{file.Name}': the extension picks the format; use {string.Join(", ", names.SkipLast(1).Select(n => "." + n))} or .{names[^1]}.");
            }
            using var client = Client(r);
            try
            {
                await using var stream = file.Create();
                await client.DownloadAsync($"jobs/{r.GetValue(id)}/export?format={format}", stream, ct);
            }
            catch
            {
                // No half-written or empty file stays behind to be mistaken for the results.
                file.Delete();
                throw;
            }
            Console.WriteLine($"wrote {file.FullName}");
        });
        return command;
    }

    private static Command Search()
    {
        var id = new Argument<string>("id");
        var image = new Option<FileInfo?>("--image") { Description = "An image file to search by (uploaded)" };
        var path = new Option<string?>("--path") { Description = "An image of the dataset to search by" };
        var k = new Option<int>("-k") { DefaultValueFactory = _ => 10 };
        var command = new Command("search", "Nearest images of a finished job by embedding") { id, image, path, k, Api, ApiKey };
        command.SetAction(async (r, ct) =>
        {
            using var client = Client(r);
            JsonNode hits;
            if (r.GetValue(image) is { } file)
            {
                using var form = new MultipartFormDataContent();
                var content = new ByteArrayContent(await File.ReadAllBytesAsync(file.FullName, ct));
                content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                form.Add(content, "image", file.Name);
                form.Add(new StringContent(r.GetValue(k).ToString(System.Globalization.CultureInfo.InvariantCulture)), "k");
                hits = await client.PostAsync($"jobs/{r.GetValue(id)}/search", form, ct);
            }
            else
            {
                hits = await client.PostAsync($"jobs/{r.GetValue(id)}/search", new { image_path = r.GetValue(path), k = r.GetValue(k) }, ct);
            }
            Console.WriteLine(hits.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
        });
        return command;
    }

    private static SchedulerClient Client(ParseResult result) => new(result.GetValue(Api), result.GetValue(ApiKey));
}
