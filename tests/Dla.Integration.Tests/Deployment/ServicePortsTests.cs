using System.Globalization;
using System.Text.RegularExpressions;
using Dla.Integration.Tests.Hosting;
using Dla.Integration.Tests.Reliability;

namespace Dla.Integration.Tests.Deployment;

/// <summary>
/// No fixed port of the development services lies in Linux's ephemeral range: any outgoing connection can
/// draw such a port as its local one, and a server that binds it later fails at random (docs/services.md).
/// </summary>
public sealed partial class ServicePortsTests
{
    private const int EphemeralFirst = 32768, EphemeralLast = 60999;

    [Fact]
    public void Every_default_port_of_services_sh_lies_below_the_ephemeral_range()
    {
        var script = File.ReadAllText(Path.Combine(Executables.RepositoryRoot, "scripts", "services.sh"));
        var defaults = PortDefault().Matches(script).ToDictionary(m => m.Groups["name"].Value, m => int.Parse(m.Groups["port"].Value, CultureInfo.InvariantCulture));

        // PostgreSQL, AMQP, management, epmd, Azurite; the distribution port is derived from AMQP's.
        Assert.Equal(["DLA_AZURITE_PORT", "DLA_EPMD_PORT", "DLA_PG_PORT", "DLA_RABBITMQ_MANAGEMENT_PORT", "DLA_RABBITMQ_PORT"], defaults.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("RMQ_DIST_PORT=${DLA_RABBITMQ_DIST_PORT:-$((RMQ_PORT + 20000))}", script, StringComparison.Ordinal);
        Assert.All(defaults.Values.Append(defaults["DLA_RABBITMQ_PORT"] + 20000), AssertOutsideEphemeralRange);
    }

    [Fact]
    public void Every_port_of_the_fault_scenarios_private_services_lies_below_the_ephemeral_range() =>
        Assert.All(PrivateServices.Ports, AssertOutsideEphemeralRange);

    private static void AssertOutsideEphemeralRange(int port) =>
        Assert.False(port is >= EphemeralFirst and <= EphemeralLast, $"port {port} lies in the ephemeral range {EphemeralFirst}-{EphemeralLast}");

    [GeneratedRegex(@"\$\{(?<name>DLA_[A-Z_]+_PORT):-(?<port>\d+)\}")]
    private static partial Regex PortDefault();
}
