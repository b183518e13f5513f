using Microsoft.EntityFrameworkCore.Migrations;
using Pgvector;

#nullable disable

namespace Dla.Persistence.Database.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class EmbeddingPrecision : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<HalfVector>(
                name: "EmbeddingHalf",
                table: "results",
                type: "halfvec",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "EmbeddingPrecision",
                table: "jobs",
                type: "character varying(8)",
                maxLength: 8,
                nullable: false,
                defaultValue: "fp32");

            // dla.image_labels (docs/sql.md) widens an fp16 job's halfvec back to a float32 vector, so its embedding
            // column keeps one type whatever the job's precision.
            migrationBuilder.Sql("""
                CREATE OR REPLACE VIEW dla.image_labels AS
                SELECT i."JobId" AS job_id, i."ImageId" AS image_id, i."Path" AS path,
                       r."Top1Index" AS top1_index, r."Top1Label" AS top1_label, r."Top1Probability" AS top1_probability,
                       r."TopKJson"::jsonb AS top_k,
                       COALESCE(r."Embedding256", r."Embedding512", r."Embedding1024", r."EmbeddingAnySize", r."EmbeddingHalf"::vector) AS embedding,
                       e."Kind" AS error_kind, e."Message" AS error_message,
                       COALESCE(r."CreatedAt", e."CreatedAt") AS created_at
                FROM images i
                JOIN jobs j ON j."Id" = i."JobId" AND j."State" <> 'Deleting'
                LEFT JOIN results r ON r."JobId" = i."JobId" AND r."ImageId" = i."ImageId"
                LEFT JOIN image_errors e ON e."JobId" = i."JobId" AND e."ImageId" = i."ImageId";
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // The view reads the halfvec column: put back the previous one first.
            migrationBuilder.Sql("""
                CREATE OR REPLACE VIEW dla.image_labels AS
                SELECT i."JobId" AS job_id, i."ImageId" AS image_id, i."Path" AS path,
                       r."Top1Index" AS top1_index, r."Top1Label" AS top1_label, r."Top1Probability" AS top1_probability,
                       r."TopKJson"::jsonb AS top_k,
                       COALESCE(r."Embedding256", r."Embedding512", r."Embedding1024", r."EmbeddingAnySize") AS embedding,
                       e."Kind" AS error_kind, e."Message" AS error_message,
                       COALESCE(r."CreatedAt", e."CreatedAt") AS created_at
                FROM images i
                JOIN jobs j ON j."Id" = i."JobId" AND j."State" <> 'Deleting'
                LEFT JOIN results r ON r."JobId" = i."JobId" AND r."ImageId" = i."ImageId"
                LEFT JOIN image_errors e ON e."JobId" = i."JobId" AND e."ImageId" = i."ImageId";
                """);

            migrationBuilder.DropColumn(
                name: "EmbeddingHalf",
                table: "results");

            migrationBuilder.DropColumn(
                name: "EmbeddingPrecision",
                table: "jobs");
        }
    }
}
