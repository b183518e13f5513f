using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Pgvector;

#nullable disable

namespace Dla.Persistence.Database.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterDatabase()
                .Annotation("Npgsql:PostgresExtension:vector", ",,");

            migrationBuilder.CreateTable(
                name: "batches",
                columns: table => new
                {
                    JobId = table.Column<Guid>(type: "uuid", nullable: false),
                    BatchIndex = table.Column<int>(type: "integer", nullable: false),
                    State = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    ImageCount = table.Column<int>(type: "integer", nullable: false),
                    Dispatches = table.Column<int>(type: "integer", nullable: false),
                    DispatchedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    LeaseUntil = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    CompletedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    LastError = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_batches", x => new { x.JobId, x.BatchIndex });
                });

            migrationBuilder.CreateTable(
                name: "image_errors",
                columns: table => new
                {
                    JobId = table.Column<Guid>(type: "uuid", nullable: false),
                    ImageId = table.Column<long>(type: "bigint", nullable: false),
                    Kind = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Message = table.Column<string>(type: "text", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_image_errors", x => new { x.JobId, x.ImageId });
                });

            migrationBuilder.CreateTable(
                name: "images",
                columns: table => new
                {
                    JobId = table.Column<Guid>(type: "uuid", nullable: false),
                    ImageId = table.Column<long>(type: "bigint", nullable: false),
                    Path = table.Column<string>(type: "text", nullable: false),
                    BatchIndex = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_images", x => new { x.JobId, x.ImageId });
                });

            migrationBuilder.CreateTable(
                name: "jobs",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Dataset = table.Column<string>(type: "text", nullable: false),
                    Model = table.Column<string>(type: "text", nullable: false),
                    Weights = table.Column<string>(type: "text", nullable: true),
                    Seed = table.Column<int>(type: "integer", nullable: false),
                    NumClasses = table.Column<int>(type: "integer", nullable: true),
                    Precision = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    Tasks = table.Column<int>(type: "integer", nullable: false),
                    TopK = table.Column<int>(type: "integer", nullable: false),
                    BatchSize = table.Column<int>(type: "integer", nullable: false),
                    MaxFailedImages = table.Column<int>(type: "integer", nullable: true),
                    MaxFailedPercent = table.Column<double>(type: "double precision", nullable: true),
                    State = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    ListedImages = table.Column<long>(type: "bigint", nullable: false),
                    PlannedBatches = table.Column<int>(type: "integer", nullable: false),
                    ListingComplete = table.Column<bool>(type: "boolean", nullable: false),
                    EmbeddingDim = table.Column<int>(type: "integer", nullable: true),
                    FailureReason = table.Column<string>(type: "text", nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    StartedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    FinishedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    CancelRequestedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_jobs", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "results",
                columns: table => new
                {
                    JobId = table.Column<Guid>(type: "uuid", nullable: false),
                    ImageId = table.Column<long>(type: "bigint", nullable: false),
                    Top1Index = table.Column<int>(type: "integer", nullable: true),
                    Top1Label = table.Column<string>(type: "text", nullable: true),
                    Top1Probability = table.Column<float>(type: "real", nullable: true),
                    TopKJson = table.Column<string>(type: "text", nullable: true),
                    Embedding = table.Column<Vector>(type: "vector", nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_results", x => new { x.JobId, x.ImageId });
                });

            migrationBuilder.CreateIndex(
                name: "IX_batches_State_LeaseUntil",
                table: "batches",
                columns: new[] { "State", "LeaseUntil" });

            migrationBuilder.CreateIndex(
                name: "IX_images_JobId_BatchIndex",
                table: "images",
                columns: new[] { "JobId", "BatchIndex" });

            migrationBuilder.CreateIndex(
                name: "IX_jobs_CreatedAt",
                table: "jobs",
                column: "CreatedAt");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "batches");

            migrationBuilder.DropTable(
                name: "image_errors");

            migrationBuilder.DropTable(
                name: "images");

            migrationBuilder.DropTable(
                name: "jobs");

            migrationBuilder.DropTable(
                name: "results");
        }
    }
}
