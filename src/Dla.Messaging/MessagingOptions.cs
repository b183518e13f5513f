using System.ComponentModel.DataAnnotations;

namespace Dla.Messaging;

/// <summary>
/// The message transport (configuration section <c>Messaging</c>): RabbitMQ in the distributed mode
/// (<c>ConnectionStrings:RabbitMq</c>, an AMQP URI), MassTransit's in-memory transport in the embedded one.
/// </summary>
public sealed class MessagingOptions
{
    public const string Section = "Messaging";

    /// <summary><c>rabbitmq</c> or <c>inmemory</c>.</summary>
    [Required]
    [RegularExpression("^(rabbitmq|inmemory)$")]
    public string Transport { get; set; } = "rabbitmq";

    /// <summary>
    /// Whether MassTransit may send its anonymous usage report to its authors over the internet. Off: a worker in a
    /// private network must not call out (the variable <c>MASSTRANSIT_USAGE_TELEMETRY=true</c> also turns it on).
    /// </summary>
    public bool UsageTelemetry { get; set; }
}
