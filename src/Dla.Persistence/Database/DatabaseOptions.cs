using System.ComponentModel.DataAnnotations;

namespace Dla.Persistence.Database;

/// <summary>
/// Which database the job tables live in. Configuration section <c>Database</c>; connection strings
/// come from <c>ConnectionStrings:Postgres</c> or <c>ConnectionStrings:Sqlite</c>.
/// </summary>
public sealed class DatabaseOptions
{
    public const string Section = "Database";

    /// <summary><c>postgres</c> (distributed mode) or <c>sqlite</c> (embedded mode).</summary>
    [Required]
    [RegularExpression("^(postgres|sqlite)$")]
    public string Provider { get; set; } = "postgres";

    /// <summary>Apply pending migrations at start-up (the scheduler and the embedded runner do; Kubernetes uses a migration Job instead).</summary>
    public bool MigrateOnStartup { get; set; } = true;
}
