using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Dla.Persistence.Database.Migrations.Sqlite
{
    /// <summary>Per-batch outcome counts (Jobs.BatchOutcomeCounts), filled in for the batches already stored.</summary>
    public partial class BatchOutcomeCounts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "failed_images",
                table: "batches",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "succeeded_images",
                table: "batches",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);
            // The counts of the batches already stored, as BatchOutcomeCounts defines them (a copy: a migration does not change).
            migrationBuilder.Sql("""
                UPDATE batches SET
                    succeeded_images = (SELECT count(*) FROM images i JOIN results r ON r.job_id = i.job_id AND r.image_id = i.image_id
                                        WHERE i.job_id = batches.job_id AND i.batch_index = batches.batch_index),
                    failed_images = (SELECT count(*) FROM images i JOIN image_errors e ON e.job_id = i.job_id AND e.image_id = i.image_id
                                     WHERE i.job_id = batches.job_id AND i.batch_index = batches.batch_index
                                       AND NOT EXISTS (SELECT 1 FROM results r WHERE r.job_id = e.job_id AND r.image_id = e.image_id))
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "failed_images",
                table: "batches");

            migrationBuilder.DropColumn(
                name: "succeeded_images",
                table: "batches");
        }
    }
}
