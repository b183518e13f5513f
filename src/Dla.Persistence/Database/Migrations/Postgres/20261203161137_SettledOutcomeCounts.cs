using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Dla.Persistence.Database.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class SettledOutcomeCounts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "settled_failed",
                schema: "dla",
                table: "jobs",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "settled_succeeded",
                schema: "dla",
                table: "jobs",
                type: "bigint",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "settled_failed",
                schema: "dla",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "settled_succeeded",
                schema: "dla",
                table: "jobs");
        }
    }
}
