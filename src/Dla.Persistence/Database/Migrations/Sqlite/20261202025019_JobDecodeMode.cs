using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Dla.Persistence.Database.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class JobDecodeMode : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Decode",
                table: "jobs",
                type: "TEXT",
                maxLength: 8,
                nullable: false,
                // Jobs from before the setting were decoded exactly.
                defaultValue: "exact");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Decode",
                table: "jobs");
        }
    }
}
