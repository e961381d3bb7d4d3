using SparseCore.Models.IO;
using SparseCore.Models.Modules;
using SparseCore.Models.Zoo;
using SparseCore.Pass.Extraction;
using SparseCore.Pass.Graph;
using SparseCore.Pass.Prompts;
using SparseCore.Tensors;
using static SparseCore.Pass.Tests.Extraction.ExtractionKit;

namespace SparseCore.Pass.Tests.Extraction;

/// <summary>
/// The extracted network computes what the masked dense network computes (eval mode, random masks
/// and batch-norm state) for the CIFAR ResNet-20 with either shortcut, ResNet-18's small stem,
/// ResNet-50 (whose stem feeds only a conv shortcut) and VGG-16 with and without BN, in both
/// residual modes; shared mode's MACs equal the masked count,
/// union mode's are at least it; the result survives a checkpoint round trip through its
/// description; wrong masks are refused with errors naming them.
/// </summary>
public class ExtractionTests
{
    private const int Classes = 10, Side = 32;

    private static ModelDescription Description(string name) => new(name, 3, Side, Side, Classes);

    private static Module Dense(string name, int seed)
    {
        var model = ModelZoo.Create(name, new ModuleInit(Cpu, (ulong)seed), 3, Side, Side, Classes);
        RandomizeNorms(model, seed);
        model.Eval();
        return model;
    }

    private static float[] MaskedForward(Module dense, ChannelGraph graph, float[][] masks, Tensor x)
    {
        using (Mask(dense, graph, masks)) return Run(dense, x);
    }

    private static ExtractedNetwork CheckEqual(Module dense, float[][] masks, ResidualMode mode, Func<ExtractedNetwork> extract, int seed)
    {
        var graph = ChannelGraph.Of(dense);
        using var x = Images(3, Side, seed);
        var expected = MaskedForward(dense, graph, masks, x);
        var extracted = extract();
        double error = RelativeError(expected, Run(extracted.Model, x));
        Assert.True(error <= 1e-4, $"{graph.Model} {mode}: masked vs extracted normwise error {error:E2}");
        Assert.True(extracted.ExtractedMacs < extracted.DenseMacs, $"extracted {extracted.ExtractedMacs} MACs, dense {extracted.DenseMacs}");
        if (mode == ResidualMode.Union) Assert.True(extracted.ExtractedMacs >= extracted.MaskedMacs);
        return extracted;
    }

    [Theory]
    [InlineData("resnet20", ResidualMode.Shared)]
    [InlineData("resnet20", ResidualMode.Union)]
    [InlineData("resnet18", ResidualMode.Shared)]
    [InlineData("resnet18", ResidualMode.Union)]
    [InlineData("resnet50", ResidualMode.Shared)]
    [InlineData("resnet50", ResidualMode.Union)]
    [InlineData("vgg16", ResidualMode.Shared)]
    [InlineData("vgg16", ResidualMode.Union)]
    [InlineData("vgg16_bn", ResidualMode.Shared)]
    [InlineData("vgg16_bn", ResidualMode.Union)]
    public void ZooBackboneExtractsToTheMaskedNetwork(string name, ResidualMode mode)
    {
        int seed = name.Length * 7 + (int)mode;
        using var dense = Dense(name, seed);
        var graph = ChannelGraph.Of(dense);
        var masks = RandomMasks(graph, seed, mode == ResidualMode.Shared);
        var extracted = CheckEqual(dense, masks, mode, () => Extractor.Extract(dense, Description(name), masks, mode), seed);
        using var _ = extracted.Model;
        if (mode == ResidualMode.Shared)
        {
            Assert.Equal(0, extracted.Plan.ZeroedChannels);
            Assert.Equal(extracted.MaskedMacs, extracted.ExtractedMacs);
        }
        else if (graph.Groups.Count > 0)
        {
            Assert.True(extracted.Plan.ZeroedChannels > 0, "random per-conv masks should leave channels held at zero");
        }
        Assert.Equal(extracted.Widths.ToString(), extracted.Description!.Widths);
    }

    [Theory]
    [InlineData(ResidualMode.Shared)]
    [InlineData(ResidualMode.Union)]
    public void ResNet20WithConvShortcutsExtractsToTheMaskedNetwork(ResidualMode mode)
    {
        var input = InputSpec.For(3, Side, Side);
        var spec = ResNetSpec.Cifar(20, ResNetShortcut.Conv);
        using var dense = new ResNet(new ModuleInit(Cpu, 5), spec, input, Classes);
        RandomizeNorms(dense, 5);
        dense.Eval();
        var masks = RandomMasks(ChannelGraph.Of(dense), 11 + (int)mode, mode == ResidualMode.Shared);
        var extracted = CheckEqual(dense, masks, mode,
            () => Extractor.Extract(dense, masks, mode, new Shape(1, 3, Side, Side), w => new ResNet(ModuleInit.Undrawn(Cpu), spec, input, Classes, w)), 3);
        using var _ = extracted.Model;
        Assert.Null(extracted.Description);
        if (mode == ResidualMode.Shared) Assert.Equal(extracted.MaskedMacs, extracted.ExtractedMacs);
        else Assert.True(extracted.ExtractedMacs > extracted.MaskedMacs);
    }

    [Fact]
    public void ExtractedNetworkRoundTripsThroughItsCheckpoint()
    {
        using var dense = Dense("resnet20", 21);
        var masks = RandomMasks(ChannelGraph.Of(dense), 21, shared: false);
        var extracted = Extractor.Extract(dense, Description("resnet20"), masks, ResidualMode.Union);
        using var _ = extracted.Model;
        string path = Path.Combine(Path.GetTempPath(), $"extracted-{Guid.NewGuid():N}.safetensors");
        try
        {
            Checkpoint.Save(path, extracted.Model, info: new CheckpointInfo { Model = extracted.Description });
            var d = Checkpoint.ReadInfo(path).Model!;
            using var rebuilt = ModelZoo.Create(d.Name, ModuleInit.Undrawn(Cpu), d.Channels, d.Height, d.Width, d.Classes, LayerWidths.Parse(d.Widths!));
            Checkpoint.Load(path, rebuilt);
            rebuilt.Eval();
            using var x = Images(3, Side, 4);
            Assert.Equal(Run(extracted.Model, x), Run(rebuilt, x));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void PromptedModelExtractsItsBackbone()
    {
        using var backbone = Dense("resnet20", 8);
        var masks = RandomMasks(ChannelGraph.Of(backbone), 8, shared: false);
        using var prompted = new PromptedModel(new PadPrompt(ModuleInit.Undrawn(Cpu), 3, Side, Side), backbone);
        var extracted = Extractor.Extract(prompted, Description("resnet20"), masks, ResidualMode.Union);
        using var _ = extracted.Model;
        Assert.IsType<ResNet>(extracted.Model);
        Assert.DoesNotContain(extracted.Model.NamedParameters(), p => p.Name.StartsWith("prompt", StringComparison.Ordinal));
    }

    [Fact]
    public void WrongMaskCountOrLengthIsRefusedNamingTheMask()
    {
        using var dense = ModelZoo.Create("resnet20", ModuleInit.Undrawn(Cpu), 3, Side, Side, Classes);
        var graph = ChannelGraph.Of(dense);
        var masks = RandomMasks(graph, 1, shared: false);

        var count = Assert.Throws<ArgumentException>(() => Extractor.Extract(dense, Description("resnet20"), masks[..^1], ResidualMode.Union));
        Assert.Contains("19 distinct masks, got 18", count.Message);

        var wrong = masks.ToArray();
        wrong[3] = new float[5];
        var length = Assert.Throws<ArgumentException>(() => Extractor.Extract(dense, Description("resnet20"), wrong, ResidualMode.Union));
        Assert.Contains($"mask 3 ('{graph.Masks[3].Owner}') has 5 entries", length.Message);

        wrong[3] = (float[])masks[3].Clone();
        wrong[3][0] = 0.5f;
        var soft = Assert.Throws<ArgumentException>(() => Extractor.Extract(dense, Description("resnet20"), wrong, ResidualMode.Union));
        Assert.Contains("mask 3", soft.Message);

        Array.Clear(wrong[3]);
        var empty = Assert.Throws<ArgumentException>(() => Extractor.Extract(dense, Description("resnet20"), wrong, ResidualMode.Union));
        Assert.Contains("keeps no channel", empty.Message);
    }

    [Fact]
    public void SharedModeRefusesUntiedGroupsAndDroppedCarriedChannels()
    {
        using var dense = ModelZoo.Create("resnet20", ModuleInit.Undrawn(Cpu), 3, Side, Side, Classes);
        var graph = ChannelGraph.Of(dense);
        var masks = RandomMasks(graph, 2, shared: true);
        var group = graph.Groups.First(g => g.Masks.Count > 1);
        var untied = masks.Select(m => (float[])m.Clone()).ToArray();
        var flip = untied[group.Masks[1]];
        flip[Array.IndexOf(flip, 1f)] = 0f;
        flip[Array.IndexOf(flip, 0f)] = 1f;
        var e = Assert.Throws<ArgumentException>(() => Extractor.Extract(dense, Description("resnet20"), untied, ResidualMode.Shared));
        Assert.Contains($"'{graph.Masks[group.Masks[1]].Owner}'", e.Message);
        Assert.Contains("union mode", e.Message);

        var padded = graph.Groups.First(g => g.PaddedFrom is not null);
        var carried = masks[graph.Groups[padded.PaddedFrom!.Value].Masks[0]];
        int c = Array.IndexOf(carried, 1f);
        var dropped = masks.Select(m => (float[])m.Clone()).ToArray();
        foreach (int m in padded.Masks) dropped[m][c] = 0f;
        if (dropped[padded.Masks[0]].All(v => v == 0f)) foreach (int m in padded.Masks) dropped[m][^1] = 1f;
        var p = Assert.Throws<ArgumentException>(() => Extractor.Extract(dense, Description("resnet20"), dropped, ResidualMode.Shared));
        Assert.Contains(padded.PaddingShortcut!, p.Message);
    }
}
