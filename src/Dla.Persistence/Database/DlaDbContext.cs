using Dla.Persistence.Jobs;
using Dla.Persistence.Results;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Dla.Persistence.Database;

/// <summary>
/// The job database. One model for both providers; the only provider-specific mapping is the
/// embedding (pgvector columns sized to the model on PostgreSQL, a float32 blob on SQLite). Each provider
/// has its own migrations (<see cref="PostgresDlaDbContext"/>, <see cref="SqliteDlaDbContext"/>).
/// </summary>
public abstract class DlaDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<Job> Jobs => Set<Job>();

    public DbSet<Batch> Batches => Set<Batch>();

    public DbSet<ManifestImage> Images => Set<ManifestImage>();

    public DbSet<ImageResult> Results => Set<ImageResult>();

    public DbSet<ImageError> Errors => Set<ImageError>();

    /// <summary>True on PostgreSQL (pgvector available), false on SQLite.</summary>
    public abstract bool IsPostgres { get; }

    /// <summary>
    /// snake_case tables, columns, keys and indexes (<c>job_id</c>, <c>top1_label</c>), so SQL users write plain
    /// identifiers (docs/sql.md). Set here rather than where the options are built, so every context has it.
    /// </summary>
    protected override void OnConfiguring(DbContextOptionsBuilder optionsBuilder) => optionsBuilder.UseSnakeCaseNamingConvention();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Job>(job =>
        {
            job.ToTable("jobs");
            job.HasKey(j => j.Id);
            job.Property(j => j.State).HasConversion<string>().HasMaxLength(16);
            job.Property(j => j.Precision).HasMaxLength(8);
            job.Property(j => j.Decode).HasMaxLength(8);
            job.Property(j => j.EmbeddingPrecision).HasMaxLength(8).HasDefaultValue(EmbeddingPrecisions.Fp32);
            job.Property(j => j.Tenant).HasMaxLength(Job.MaxTenantLength);
            job.Property(j => j.WeightsSha256).HasMaxLength(64);
            job.Property(j => j.DlaVersion).HasMaxLength(128);
            job.HasIndex(j => j.CreatedAt);
            // A tenant's job list and its running-jobs quota.
            job.HasIndex(j => new { j.Tenant, j.State });
        });
        modelBuilder.Entity<Batch>(batch =>
        {
            batch.ToTable("batches");
            batch.HasKey(b => new { b.JobId, b.BatchIndex });
            batch.Property(b => b.State).HasConversion<string>().HasMaxLength(16);
            // The dispatcher's queries: queued batches counted, started batches whose lease expired (state
            // first); per job, what is in flight and its next planned batches in order (job first).
            batch.HasIndex(b => new { b.State, b.LeaseUntil });
            batch.HasIndex(b => new { b.JobId, b.State, b.BatchIndex });
            batch.Property(b => b.Worker).HasMaxLength(128);
        });
        modelBuilder.Entity<ManifestImage>(image =>
        {
            image.ToTable("images");
            image.HasKey(i => new { i.JobId, i.ImageId });
            image.HasIndex(i => new { i.JobId, i.BatchIndex });
        });
        modelBuilder.Entity<ImageResult>(result =>
        {
            result.ToTable("results");
            result.HasKey(r => new { r.JobId, r.ImageId });
            // The console's results grid pages by keyset: least (or most) confident first, and within one top-1 label.
            result.HasIndex(r => new { r.JobId, r.Top1Probability, r.ImageId });
            result.HasIndex(r => new { r.JobId, r.Top1Label, r.Top1Probability, r.ImageId });
            // The convention would write top1index; the view and docs/sql.md say top1_index.
            result.Property(r => r.Top1Index).HasColumnName("top1_index");
            result.Property(r => r.Top1Label).HasColumnName("top1_label");
            result.Property(r => r.Top1Probability).HasColumnName("top1_probability");
            MapTopK(result.Property(r => r.TopKJson).HasColumnName("top_k"));
            MapEmbedding(result);
        });
        modelBuilder.Entity<ImageError>(error =>
        {
            error.ToTable("image_errors");
            error.HasKey(e => new { e.JobId, e.ImageId });
            error.Property(e => e.Kind).HasMaxLength(32);
        });
        if (!IsPostgres)
        {
            // SQLite cannot order or compare DateTimeOffset; store UTC ticks.
            foreach (var property in modelBuilder.Model.GetEntityTypes().SelectMany(t => t.GetProperties())
                         .Where(p => p.ClrType == typeof(DateTimeOffset) || p.ClrType == typeof(DateTimeOffset?)))
            {
                property.SetValueConverter(new DateTimeOffsetToBinaryConverter());
            }
        }
    }

    /// <summary>Maps <see cref="ImageResult.TopKJson"/>'s column: jsonb on PostgreSQL, text on SQLite.</summary>
    protected virtual void MapTopK(PropertyBuilder<string?> topK)
    {
    }

    /// <summary>Maps <see cref="ImageResult.Embedding"/> to the provider's column(s).</summary>
    protected abstract void MapEmbedding(EntityTypeBuilder<ImageResult> result);

    /// <summary>Compares embeddings by value, so change tracking sees edits inside the array.</summary>
    protected static readonly ValueComparer<float[]?> EmbeddingComparer = new(
        (a, b) => a == null ? b == null : b != null && a.SequenceEqual(b),
        v => v == null ? 0 : v.Aggregate(17, (h, x) => HashCode.Combine(h, x)),
        v => v == null ? null : v.ToArray());
}
