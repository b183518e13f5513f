using System.CommandLine;
using Dla.Modeling.Images;
using Dla.Modeling.Inference;
using Dla.Modeling.Weights;

namespace Dla.Cli;

/// <summary>Runs the command line and turns the library's typed errors into one clear line and exit code 2.</summary>
internal static class CliRunner
{
    public static async Task<int> InvokeAsync(RootCommand root, string[] args)
    {
        using var cancellation = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancellation.Cancel();
        };
        try
        {
            return await root.Parse(args).InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false }, cancellation.Token);
        }
        catch (Exception ex) when (ex is ModelLoadException or WeightsFormatException or WeightsDownloadException or ImageDecodeException or ArgumentException or IOException or Jobs.SchedulerApiException or Dla.Datasets.DatasetAccessException
            or Scheduler.Jobs.JobValidationException)
        {
            Console.Error.WriteLine($"error: {ex.Message}");
            return 2;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("cancelled");
            return 130;
        }
    }
}
