using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Dla.Persistence.Database.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ImageLabelsView : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The same view as PostgreSQL's dla.image_labels (SQLite has no schemas): docs/sql.md.
            migrationBuilder.Sql("""
                CREATE VIEW image_labels AS
                SELECT i."JobId" AS job_id, i."ImageId" AS image_id, i."Path" AS path,
                       r."Top1Index" AS top1_index, r."Top1Label" AS top1_label, r."Top1Probability" AS top1_probability,
                       r."TopKJson" AS top_k, r."Embedding" AS embedding,
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
            migrationBuilder.Sql("DROP VIEW IF EXISTS image_labels;");
        }
    }
}
