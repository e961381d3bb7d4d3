using System.Text.Json.Nodes;
using SparseCore.Cli.Pruning;
using SparseCore.Models.Data;
using SparseCore.Pass.Pipeline;

namespace SparseCore.Cli.Tests.Pruning;

public sealed class PruneSummaryFileTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("sparsecore-summary-").FullName;
    private string Path_ => Path.Combine(folder, PruneSummaryFile.FileName);

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void A_summary_survives_the_round_trip_including_NaN_and_a_missing_target()
    {
        var written = SampleSummaries.Make(mode: "union") with { Dense = new RunMeasure(double.NaN, 0.9187, 40_551_040, 272_474, 3.75) };
        PruneSummaryFile.Write(Path_, written);

        var read = PruneSummaryFile.Read(Path_);

        Assert.Equal(written.Layers, read.Layers);
        Assert.Equal(written with { Layers = read.Layers }, read);
        Assert.True(double.IsNaN(read.Dense.ValidationAccuracy));
        Assert.Null(read.FlopsTarget);
        Assert.Equal(written.MaskedMacs, read.MaskedMacs);
    }

    [Fact]
    public void A_compute_profile_survives_the_round_trip_and_a_missing_pruned_time_is_named()
    {
        var profile = SampleSummaries.Compute();
        PruneSummaryFile.Write(Path_, SampleSummaries.Make() with { Compute = profile });

        var read = PruneSummaryFile.Read(Path_).Compute!;

        Assert.Equal(profile.Layers, read.Layers);
        Assert.Equal(profile with { Layers = read.Layers }, read);
        Assert.DoesNotContain("predictedSpeedup", File.ReadAllText(Path_)); // derived, not stored

        var json = JsonNode.Parse(File.ReadAllText(Path_))!;
        json["compute"]!["layers"]![1]!["prunedMs"] = null;
        File.WriteAllText(Path_, json.ToJsonString());
        var e = Assert.Throws<DataFormatException>(() => PruneSummaryFile.Read(Path_));
        Assert.Contains("compute.layers[1]", e.Message);
        Assert.Contains("fc: dense and pruned times must be durations", e.Message);
    }

    [Fact]
    public void The_file_is_indented_camel_case_json()
    {
        PruneSummaryFile.Write(Path_, SampleSummaries.Make());
        string text = File.ReadAllText(Path_);
        Assert.Contains("\n  \"promptInStage2\": true", text);
        Assert.Contains("\"stage1Seconds\": 612.5", text);
        Assert.Contains("\"maskedMacs\": 19876543", text);
        Assert.Empty(Directory.GetFiles(folder, ".*.tmp"));
    }

    [Theory]
    [InlineData("seed", "seed")]
    [InlineData("dense", "dense")]
    [InlineData("latency", "latency")]
    public void A_missing_field_is_named(string field, string expected)
    {
        var json = Json(SampleSummaries.Make());
        json.Remove(field);
        var e = ReadBack(json);
        Assert.Contains(Path_, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void A_missing_field_inside_a_record_is_named()
    {
        var json = Json(SampleSummaries.Make());
        json["pruned"]!.AsObject().Remove("testAccuracy");
        var e = ReadBack(json);
        Assert.Contains("testAccuracy", e.Message);
    }

    [Theory]
    [InlineData("mode", "\"both\"", "mode")]
    [InlineData("seed", "\"seven\"", "$.seed")]
    [InlineData("method", "null", "method")]
    [InlineData("sparsity", "1.5", "sparsity")]
    public void A_bad_value_names_its_field(string field, string value, string expected)
    {
        var json = Json(SampleSummaries.Make());
        json[field] = JsonNode.Parse(value);
        var e = ReadBack(json);
        Assert.Contains(Path_, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void A_layer_keeping_more_than_it_has_is_named_with_its_index_and_name()
    {
        var json = Json(SampleSummaries.Make());
        json["layers"]![1]!["kept"] = 17;
        var e = ReadBack(json);
        Assert.Equal("layers[1].kept", e.Field);
        Assert.Contains("layer1.0.conv1", e.Message);
    }

    [Fact]
    public void Malformed_json_names_the_file()
    {
        File.WriteAllText(Path_, "{ \"method\": \"pass\", ");
        var e = Assert.Throws<DataFormatException>(() => PruneSummaryFile.Read(Path_));
        Assert.Contains(Path_, e.Message);
        Assert.Contains("not a prune summary", e.Message);
    }

    [Fact]
    public void A_missing_file_is_named()
    {
        var e = Assert.Throws<DataFormatException>(() => PruneSummaryFile.Read(Path_));
        Assert.Contains(Path_, e.Message);
    }

    [Fact]
    public void Writing_a_summary_that_could_not_be_read_back_is_refused()
    {
        var bad = SampleSummaries.Make() with { Sparsity = null, FlopsTarget = null };
        var e = Assert.Throws<ArgumentException>(() => PruneSummaryFile.Write(Path_, bad));
        Assert.Contains("sparsity", e.Message);
        Assert.False(File.Exists(Path_));
    }

    private JsonObject Json(PruneSummary summary)
    {
        PruneSummaryFile.Write(Path_, summary);
        return JsonNode.Parse(File.ReadAllText(Path_))!.AsObject();
    }

    private DataFormatException ReadBack(JsonObject json)
    {
        File.WriteAllText(Path_, json.ToJsonString());
        return Assert.Throws<DataFormatException>(() => PruneSummaryFile.Read(Path_));
    }
}
