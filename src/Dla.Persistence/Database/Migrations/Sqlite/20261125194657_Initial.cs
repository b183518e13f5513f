using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Dla.Persistence.Database.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "batches",
                columns: table => new
                {
                    JobId = table.Column<Guid>(type: "TEXT", nullable: false),
                    BatchIndex = table.Column<int>(type: "INTEGER", nullable: false),
                    State = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    ImageCount = table.Column<int>(type: "INTEGER", nullable: false),
                    Dispatches = table.Column<int>(type: "INTEGER", nullable: false),
                    DispatchedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    LeaseUntil = table.Column<long>(type: "INTEGER", nullable: true),
                    CompletedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    LastError = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_batches", x => new { x.JobId, x.BatchIndex });
                });

            migrationBuilder.CreateTable(
                name: "image_errors",
                columns: table => new
                {
                    JobId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ImageId = table.Column<long>(type: "INTEGER", nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Message = table.Column<string>(type: "TEXT", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_image_errors", x => new { x.JobId, x.ImageId });
                });

            migrationBuilder.CreateTable(
                name: "images",
                columns: table => new
                {
                    JobId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ImageId = table.Column<long>(type: "INTEGER", nullable: false),
                    Path = table.Column<string>(type: "TEXT", nullable: false),
                    BatchIndex = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_images", x => new { x.JobId, x.ImageId });
                });

            migrationBuilder.CreateTable(
                name: "jobs",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Dataset = table.Column<string>(type: "TEXT", nullable: false),
                    Model = table.Column<string>(type: "TEXT", nullable: false),
                    Weights = table.Column<string>(type: "TEXT", nullable: true),
                    Seed = table.Column<int>(type: "INTEGER", nullable: false),
                    NumClasses = table.Column<int>(type: "INTEGER", nullable: true),
                    Precision = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    Tasks = table.Column<int>(type: "INTEGER", nullable: false),
                    TopK = table.Column<int>(type: "INTEGER", nullable: false),
                    BatchSize = table.Column<int>(type: "INTEGER", nullable: false),
                    MaxFailedImages = table.Column<int>(type: "INTEGER", nullable: true),
                    MaxFailedPercent = table.Column<double>(type: "REAL", nullable: true),
                    State = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    ListedImages = table.Column<long>(type: "INTEGER", nullable: false),
                    PlannedBatches = table.Column<int>(type: "INTEGER", nullable: false),
                    ListingComplete = table.Column<bool>(type: "INTEGER", nullable: false),
                    EmbeddingDim = table.Column<int>(type: "INTEGER", nullable: true),
                    FailureReason = table.Column<string>(type: "TEXT", nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    StartedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    FinishedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    CancelRequestedAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_jobs", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "results",
                columns: table => new
                {
                    JobId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ImageId = table.Column<long>(type: "INTEGER", nullable: false),
                    Top1Index = table.Column<int>(type: "INTEGER", nullable: true),
                    Top1Label = table.Column<string>(type: "TEXT", nullable: true),
                    Top1Probability = table.Column<float>(type: "REAL", nullable: true),
                    TopKJson = table.Column<string>(type: "TEXT", nullable: true),
                    Embedding = table.Column<byte[]>(type: "BLOB", nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false)
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
