using System.Text.Json.Nodes;
using SparseCore.Models.Data;
using SparseCore.Models.Modules;
using SparseCore.Models.Zoo;
using SparseCore.Pass.Graph;
using SparseCore.Pass.Masks;

namespace SparseCore.Pass.Tests.Masks;

/// <summary>masks.json: a round trip, the written layout, validation before writing, and every reading error naming its field.</summary>
public sealed class MaskFileTests : IDisposable
{
    private static readonly ChannelGraph Graph = GraphOf("resnet20");
    private readonly string folder = Path.Combine(Path.GetTempPath(), $"maskfile-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
    }

    private static ChannelGraph GraphOf(string name)
    {
        using var model = ModelZoo.Create(name, ModuleInit.Undrawn(MaskTestKit.Cpu), 3, 32, 32, 10);
        return ChannelGraph.Of(model);
    }

    private string PathOf(string name) => Path.Combine(folder, name);

    private static float[][] Masks(int seed)
    {
        var random = new Random(seed);
        return Graph.Masks.Select(m =>
        {
            var mask = Enumerable.Range(0, m.Channels).Select(_ => random.NextDouble() < 0.4 ? 1f : 0f).ToArray();
            mask[random.Next(m.Channels)] = 1f;
            return mask;
        }).ToArray();
    }

    [Fact]
    public void Masks_and_info_survive_a_round_trip()
    {
        var masks = Masks(1);
        var info = new Dictionary<string, string> { ["method"] = "pass", ["sparsity"] = "0.5", ["note"] = "quote \" and ünïcode" };
        string path = PathOf("masks.json");
        MaskFile.Write(path, Graph, masks, info);
        var read = MaskFile.Read(path, Graph);
        Assert.Equal(masks.Length, read.Masks.Count);
        for (int m = 0; m < masks.Length; m++) Assert.Equal(masks[m], read.Masks[m]);
        Assert.Equal(info.OrderBy(p => p.Key), read.Info.OrderBy(p => p.Key));
        Assert.Equal(["masks.json"], Directory.GetFiles(folder).Select(Path.GetFileName));

        var root = JsonNode.Parse(File.ReadAllText(path))!;
        Assert.Equal("resnet20", (string?)root["model"]);
        Assert.Equal(Graph.TotalChannels, (int)root["totalChannels"]!);
        Assert.Equal(masks.Sum(m => m.Count(v => v == 1f)), (int)root["keptChannels"]!);
        var second = root["masks"]![1]!;
        Assert.Equal(1, (int)second["id"]!);
        Assert.Equal(Graph.Masks[1].Owner, (string?)second["owner"]);
        Assert.Equal(Graph.Masks[1].Channels, (int)second["channels"]!);
        Assert.Equal(Enumerable.Range(0, masks[1].Length).Where(c => masks[1][c] == 1f),
                     second["kept"]!.AsArray().Select(n => (int)n!));
    }

    [Fact]
    public void Without_info_the_file_reads_with_an_empty_info()
    {
        string path = PathOf("plain.json");
        MaskFile.Write(path, Graph, Masks(2));
        Assert.Empty(MaskFile.Read(path, Graph).Info);
        Assert.Contains("\"kept\": [", File.ReadAllText(path));
    }

    [Fact]
    public void Writing_checks_the_masks_against_the_graph()
    {
        string path = PathOf("bad.json");
        var masks = Masks(3);
        Assert.Contains("19 distinct masks, got 18", Assert.Throws<ArgumentException>(() => MaskFile.Write(path, Graph, masks[..^1])).Message);
        var shorter = masks.ToArray();
        shorter[4] = shorter[4][..^1];
        Assert.Contains($"mask 4 ('{Graph.Masks[4].Owner}')", Assert.Throws<ArgumentException>(() => MaskFile.Write(path, Graph, shorter)).Message);
        var half = masks.ToArray();
        half[2] = half[2].Select((v, c) => c == 3 ? 0.5f : v).ToArray();
        Assert.Contains("entry 3 is 0.5", Assert.Throws<ArgumentException>(() => MaskFile.Write(path, Graph, half)).Message);
        var empty = masks.ToArray();
        empty[7] = new float[Graph.Masks[7].Channels];
        Assert.Contains("mask 7", Assert.Throws<ArgumentException>(() => MaskFile.Write(path, Graph, empty)).Message);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void A_missing_file_and_malformed_JSON_name_the_file_and_the_line()
    {
        var e = Assert.Throws<DataFormatException>(() => MaskFile.Read(PathOf("absent.json"), Graph));
        Assert.Equal("file", e.Field);
        Assert.Contains("not found", e.Message);

        string path = PathOf("broken.json");
        Directory.CreateDirectory(folder);
        File.WriteAllText(path, "{\n  \"model\": \"resnet20\",\n  \"masks\": [1, 2,,]\n}\n");
        e = Assert.Throws<DataFormatException>(() => MaskFile.Read(path, Graph));
        Assert.Equal("json", e.Field);
        Assert.Contains("line 3", e.Message);
        Assert.StartsWith(path, e.Message);

        File.WriteAllText(path, "{\"model\": \"resnet20\", \"model\": \"vgg16\"}");
        Assert.Equal("json", Assert.Throws<DataFormatException>(() => MaskFile.Read(path, Graph)).Field);
        File.WriteAllText(path, "[1, 2]");
        Assert.Equal("json", Assert.Throws<DataFormatException>(() => MaskFile.Read(path, Graph)).Field);
    }

    public static TheoryData<string, string, string> Corruptions => new()
    {
        // (what to change, field named, words in the message)
        { "no model", "model", "missing" },
        { "model vgg16", "model", "resnet20" },
        { "no masks", "masks", "missing" },
        { "one mask less", "masks", "19 distinct masks" },
        { "owner renamed", "masks[2].owner", "layer1.0.conv2" },
        { "no owner", "masks[2].owner", "missing" },
        { "channels 17", "masks[2].channels", "17" },
        { "no channels", "masks[2].channels", "missing" },
        { "kept 16", "masks[2].kept[1]", "out of range" },
        { "kept -1", "masks[2].kept[1]", "out of range" },
        { "kept repeated", "masks[2].kept[1]", "twice" },
        { "kept 1.5", "masks[2].kept[1]", "integer" },
        { "kept empty", "masks[2].kept", "keeps no channel" },
        { "no kept", "masks[2].kept", "missing" },
        { "id 5", "masks[2].id", "graph order" },
        { "layers wrong", "masks[2].layers", "layer1.0.conv2" },
        { "totalChannels 1", "totalChannels", "688" },
        { "keptChannels 1", "keptChannels", "the masks keep" },
        { "info number", "info.method", "strings" },
    };

    [Theory]
    [MemberData(nameof(Corruptions))]
    public void Each_reading_error_names_its_field(string change, string field, string words)
    {
        string path = PathOf("masks.json");
        MaskFile.Write(path, Graph, Masks(4), new Dictionary<string, string> { ["method"] = "l1" });
        var root = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        var mask = root["masks"]![2]!.AsObject();
        switch (change)
        {
            case "no model": root.Remove("model"); break;
            case "model vgg16": root["model"] = "vgg16"; break;
            case "no masks": root.Remove("masks"); break;
            case "one mask less": root["masks"]!.AsArray().RemoveAt(18); break;
            case "owner renamed": mask["owner"] = "layer1.0.conv1"; break;
            case "no owner": mask.Remove("owner"); break;
            case "channels 17": mask["channels"] = 17; break;
            case "no channels": mask.Remove("channels"); break;
            case "kept 16": mask["kept"] = new JsonArray(0, 16); break;
            case "kept -1": mask["kept"] = new JsonArray(0, -1); break;
            case "kept repeated": mask["kept"] = new JsonArray(3, 3); break;
            case "kept 1.5": mask["kept"] = new JsonArray(0, 1.5); break;
            case "kept empty": mask["kept"] = new JsonArray(); break;
            case "no kept": mask.Remove("kept"); break;
            case "id 5": mask["id"] = 5; break;
            case "layers wrong": mask["layers"] = new JsonArray("layer1.0.conv1"); break;
            case "totalChannels 1": root["totalChannels"] = 1; break;
            case "keptChannels 1": root["keptChannels"] = 1; break;
            case "info number": root["info"]!["method"] = 3; break;
            default: throw new ArgumentException(change);
        }
        File.WriteAllText(path, root.ToJsonString());
        var e = Assert.Throws<DataFormatException>(() => MaskFile.Read(path, Graph));
        Assert.Equal(field, e.Field);
        Assert.Contains(words, e.Message);
        Assert.StartsWith(path, e.Message);
    }

    [Fact]
    public void A_file_for_another_network_is_refused_by_model()
    {
        string path = PathOf("masks.json");
        MaskFile.Write(path, Graph, Masks(5));
        var e = Assert.Throws<DataFormatException>(() => MaskFile.Read(path, GraphOf("vgg16")));
        Assert.Equal("model", e.Field);
        Assert.Contains("vgg16", e.Message);
    }

    [Fact]
    public void Only_model_masks_owner_channels_and_kept_are_required()
    {
        string path = PathOf("minimal.json");
        Directory.CreateDirectory(folder);
        var masks = Masks(6);
        var list = new JsonArray(Graph.Masks.Select(m => (JsonNode)new JsonObject
        {
            ["owner"] = m.Owner,
            ["channels"] = m.Channels,
            ["kept"] = new JsonArray(Enumerable.Range(0, m.Channels).Where(c => masks[m.Id][c] == 1f).Reverse().Select(c => (JsonNode)c).ToArray()),
        }).ToArray());
        File.WriteAllText(path, new JsonObject { ["model"] = "resnet20", ["masks"] = list, ["extra"] = true }.ToJsonString());
        var read = MaskFile.Read(path, Graph);
        for (int m = 0; m < masks.Length; m++) Assert.Equal(masks[m], read.Masks[m]);
        Assert.Empty(read.Info);
    }
}
