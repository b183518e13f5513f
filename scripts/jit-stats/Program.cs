// What the runtime's compiler did in a process, from an EventPipe trace of its compiler events, written by starting the
// process with DOTNET_EnableEventPipe=1, DOTNET_EventPipeOutputPath=FILE and
// DOTNET_EventPipeConfig=Microsoft-Windows-DotNETRuntime:0x10:5 (the JIT keyword, verbose, which adds each method's tier):
//
//   dotnet run --project scripts/jit-stats -c Release -- TRACE
//
// prints the methods compiled and the compiler's time by tier (tier 0, instrumented for profile-guided optimisation,
// optimised...), by namespace, and per 5 s since the process started. The time of one compilation is the wall time
// from its start event to its end event on the compiling thread, so it includes time the thread waited for a core.
using Microsoft.Diagnostics.Tracing;

if (args.Length != 1)
{
    Console.Error.WriteLine("usage: jit-stats TRACE.nettrace");
    return 2;
}
using var source = new EventPipeEventSource(args[0]);
var started = new Dictionary<(int Thread, long Method), double>();
var compilations = new List<Compilation>();
source.Clr.MethodJittingStarted += e => started[(e.ThreadID, e.MethodID)] = e.TimeStampRelativeMSec;
source.Clr.MethodLoadVerbose += e =>
{
    if (started.Remove((e.ThreadID, e.MethodID), out var start))
    {
        compilations.Add(new Compilation(start / 1000, e.OptimizationTier.ToString(), Namespace(e.MethodNamespace), e.TimeStampRelativeMSec - start));
    }
};
source.Process();

Console.WriteLine($"{compilations.Count} methods compiled, {compilations.Sum(c => c.Milliseconds) / 1000:F1} s in the compiler");
Print("tier", compilations.GroupBy(c => c.Tier));
Print("namespace", compilations.GroupBy(c => c.Namespace).OrderByDescending(g => g.Sum(c => c.Milliseconds)).Take(15));
Print("from second", compilations.GroupBy(c => ((int)(c.Second / 5) * 5).ToString("D3")).OrderBy(g => g.Key));
return 0;

static void Print(string title, IEnumerable<IGrouping<string, Compilation>> groups)
{
    foreach (var group in groups)
    {
        Console.WriteLine($"{title} {group.Key,-45} {group.Count(),7} methods {group.Sum(c => c.Milliseconds),9:F0} ms");
    }
}

// The first two parts of a method's namespace (System.Collections, Npgsql.Internal, Dla.Worker), without generic arguments.
static string Namespace(string name)
{
    var generic = name.IndexOf('[', StringComparison.Ordinal);
    var parts = (generic > 0 ? name[..generic] : name).Split('.');
    return string.Join('.', parts.Take(2));
}

internal sealed record Compilation(double Second, string Tier, string Namespace, double Milliseconds);
