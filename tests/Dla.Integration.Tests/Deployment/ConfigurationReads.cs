using System.Diagnostics;
using System.Reflection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

[assembly: HostingStartup(typeof(Dla.Integration.Tests.Deployment.RecordingHostingStartup))]

namespace Dla.Integration.Tests.Deployment;

/// <summary>The configuration keys an application looked up while it was composed, and why it would not start.</summary>
internal sealed record ObservedConfiguration(IReadOnlySet<string> Reads, IReadOnlyList<string> Errors);

/// <summary>
/// Runs an application's real entry point (its Program.cs, unchanged) in this process with a given
/// configuration, up to the moment its host is built, and records every configuration key it looks up:
/// what its registration code reads (connection strings, the provider and transport switches) and, through
/// <see cref="IStartupValidator"/>, every key the binder looks up for the options classes validated on start
/// (STYLE rule 3: every feature's options are). So the keys come from the code as it is, not from a list.
/// <para>
/// The configuration enters through a hosting startup (this assembly, named by the standard
/// <c>--hostingStartupAssemblies</c> argument), which makes it the last, winning source before Program.cs
/// reads anything. The host never starts: it is stopped once built, the way WebApplicationFactory stops a
/// minimal-hosting app (DiagnosticListener <c>Microsoft.Extensions.Hosting</c>, event <c>HostBuilt</c>).
/// </para>
/// </summary>
internal static class ConfigurationReads
{
    private static readonly AsyncLocal<RecordingConfigurationSource?> Active = new();

    /// <summary>The recording of the entry point running on this flow, if any.</summary>
    internal static RecordingConfigurationSource? Current => Active.Value;

    public static ObservedConfiguration Observe(Assembly application, IReadOnlyDictionary<string, string?> configuration, IReadOnlyList<string> args, string contentRoot)
    {
        var source = new RecordingConfigurationSource(configuration);
        using var interceptor = new HostBuiltInterceptor(source);
        using var subscription = DiagnosticListener.AllListeners.Subscribe(interceptor);
        string[] arguments =
        [
            .. args,
            $"--{WebHostDefaults.HostingStartupAssembliesKey}={typeof(ConfigurationReads).Assembly.GetName().Name}",
            $"--{HostDefaults.ContentRootKey}={contentRoot}",
        ];
        Active.Value = source;
        try
        {
            (application.EntryPoint!.Invoke(null, [arguments]) as Task)?.GetAwaiter().GetResult();
            source.Errors.Add("its entry point returned without building a host");
        }
        catch (TargetInvocationException e) when (e.InnerException is HostBuiltStop)
        {
        }
        catch (TargetInvocationException e)
        {
            source.Errors.Add($"it does not start with this configuration: {e.InnerException?.Message}");
        }
        finally
        {
            Active.Value = null;
        }
        return new ObservedConfiguration(source.Reads, source.Errors);
    }

    private sealed class HostBuiltInterceptor(RecordingConfigurationSource source) : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
    {
        private readonly List<IDisposable> _subscriptions = [];

        public void OnNext(DiagnosticListener value)
        {
            if (value.Name == "Microsoft.Extensions.Hosting")
            {
                lock (_subscriptions)
                {
                    _subscriptions.Add(value.Subscribe(this));
                }
            }
        }

        public void OnNext(KeyValuePair<string, object?> value)
        {
            // Hosts built elsewhere in this process (other tests) are none of this recording's business.
            if (value.Key != "HostBuilt" || Current != source || value.Value is not IHost host)
            {
                return;
            }
            try
            {
                // What Host.StartAsync does first: bind and validate every ValidateOnStart options class.
                host.Services.GetService<IStartupValidator>()?.Validate();
            }
            catch (OptionsValidationException e)
            {
                source.Errors.AddRange(e.Failures);
            }
            catch (AggregateException e)
            {
                source.Errors.AddRange(e.InnerExceptions.Select(i => i.Message));
            }
            host.Dispose();
            throw new HostBuiltStop();
        }

        public void OnCompleted()
        {
        }

        public void OnError(Exception error)
        {
        }

        public void Dispose()
        {
            lock (_subscriptions)
            {
                _subscriptions.ForEach(s => s.Dispose());
            }
        }
    }

    private sealed class HostBuiltStop : Exception;
}

/// <summary>A configuration source holding the given values that records every key looked up in it.</summary>
internal sealed class RecordingConfigurationSource(IReadOnlyDictionary<string, string?> values) : IConfigurationSource
{
    private readonly IReadOnlyDictionary<string, string?> _values = values;
    private readonly HashSet<string> _reads = new(StringComparer.OrdinalIgnoreCase);

    public IReadOnlySet<string> Reads
    {
        get
        {
            lock (_reads)
            {
                return _reads.ToHashSet(StringComparer.OrdinalIgnoreCase);
            }
        }
    }

    public List<string> Errors { get; } = [];

    public IConfigurationProvider Build(IConfigurationBuilder builder) => new Provider(this);

    private sealed class Provider(RecordingConfigurationSource source) : ConfigurationProvider
    {
        public override void Load()
        {
            foreach (var (key, value) in source._values)
            {
                Data[key] = value;
            }
        }

        public override bool TryGet(string key, out string? value)
        {
            lock (source._reads)
            {
                source._reads.Add(key);
            }
            return base.TryGet(key, out value);
        }
    }
}

/// <summary>
/// Adds the active <see cref="RecordingConfigurationSource"/> as the last configuration source of the host
/// <see cref="ConfigurationReads"/> runs; does nothing for any other host.
/// </summary>
internal sealed class RecordingHostingStartup : IHostingStartup
{
    public void Configure(IWebHostBuilder builder)
    {
        if (ConfigurationReads.Current is { } source)
        {
            builder.ConfigureAppConfiguration(configuration => configuration.Add(source));
        }
    }
}
