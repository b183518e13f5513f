using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Dla.Persistence.Database.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class LeasesByHeartbeatAndPriority : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // A dispatched batch becomes queued: its lease now starts when a worker starts it, so the
            // publish-time lease it carries means nothing (the dispatcher republishes a queued batch only
            // after Scheduler:QueuedRepublishSeconds). Existing jobs get the default priority (10).
            migrationBuilder.Sql("""UPDATE batches SET "State" = 'Queued', "LeaseUntil" = NULL WHERE "State" = 'Dispatched'""");

            migrationBuilder.AddColumn<int>(
                name: "Priority",
                table: "jobs",
                type: "integer",
                nullable: false,
                defaultValue: 10);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "StartedAt",
                table: "batches",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Worker",
                table: "batches",
                type: "character varying(128)",
                maxLength: 128,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_batches_JobId_State_BatchIndex",
                table: "batches",
                columns: new[] { "JobId", "State", "BatchIndex" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""UPDATE batches SET "State" = 'Dispatched' WHERE "State" IN ('Queued', 'Started')""");

            migrationBuilder.DropIndex(
                name: "IX_batches_JobId_State_BatchIndex",
                table: "batches");

            migrationBuilder.DropColumn(
                name: "Priority",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "StartedAt",
                table: "batches");

            migrationBuilder.DropColumn(
                name: "Worker",
                table: "batches");
        }
    }
}
