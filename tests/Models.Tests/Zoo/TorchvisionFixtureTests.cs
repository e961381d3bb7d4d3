using System.Text.Json;
using SparseCore.Kernels.Cpu;
using SparseCore.Models.Flops;
using SparseCore.Models.Modules;
using SparseCore.Models.Zoo;
using SparseCore.Tensors;

namespace SparseCore.Models.Tests.Zoo;

/// <summary>
/// State-dict names and shapes, in order, and per-layer conv/linear MACs against torchvision
/// (tests/fixtures/make_torchvision_names.py), so weights map one-to-one onto PyTorch checkpoints.
/// </summary>
public class TorchvisionFixtureTests
{
    private sealed record Fixture(int[] Input, int Classes, List<(string Name, int[] Shape)> Parameters,
                                  List<(string Name, int[] Shape)> Buffers, Dictionary<string, long> Macs);

    private static Fixture Load(string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "fixtures", "torchvision", name + ".json")));
        var root = doc.RootElement;
        List<(string, int[])> Entries(string key) =>
            root.GetProperty(key).EnumerateObject().Select(p => (p.Name, p.Value.EnumerateArray().Select(d => d.GetInt32()).ToArray())).ToList();
        return new Fixture(
            root.GetProperty("input").EnumerateArray().Select(d => d.GetInt32()).ToArray(),
            root.GetProperty("classes").GetInt32(),
            Entries("parameters"), Entries("buffers"),
            root.GetProperty("macs").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64()));
    }

    [Theory]
    [InlineData("resnet18")]
    [InlineData("resnet34")]
    [InlineData("resnet50")]
    [InlineData("vgg16")]
    [InlineData("vgg16_bn")]
    [InlineData("vit_tiny")]
    public void Names_shapes_and_layer_MACs_match_torchvision(string name)
    {
        var fixture = Load(name);
        using var backend = new CpuBackend();
        int channels = fixture.Input[1], side = fixture.Input[2];
        using var model = ModelZoo.Create(name, ModuleInit.Undrawn(backend), channels, side, side, fixture.Classes);

        var parameters = model.NamedParameters().Select(p => (p.Name, p.Parameter.Value.Shape.Dims.ToArray())).ToList();
        var buffers = model.NamedBuffers().Select(b => (b.Name, b.Buffer.Shape.Dims.ToArray())).ToList();
        AssertSameEntries(fixture.Parameters, parameters);
        AssertSameEntries(fixture.Buffers, buffers);

        var rows = ModelCost.Measure(model, new Shape(fixture.Input)).Rows.ToDictionary(r => r.Name);
        foreach (var (layer, macs) in fixture.Macs)
        {
            Assert.True(rows.ContainsKey(layer), $"{name}: no cost row for {layer}");
            Assert.Equal((layer, macs), (layer, rows[layer].Macs));
        }
    }

    private static void AssertSameEntries(List<(string Name, int[] Shape)> expected, List<(string Name, int[] Shape)> actual)
    {
        static string Show(List<(string Name, int[] Shape)> entries) =>
            string.Join("\n", entries.Select(e => $"{e.Name} [{string.Join(", ", e.Shape)}]"));
        Assert.Equal(Show(expected), Show(actual));
    }
}
