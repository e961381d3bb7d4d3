using SparseCore.Kernels.Cpu;
using SparseCore.Models.Flops;
using SparseCore.Models.Modules;
using SparseCore.Models.Zoo;
using SparseCore.Tensors;

namespace SparseCore.Models.Tests.Zoo;

/// <summary>Backbones built with irregular per-layer widths, as pruned networks are rebuilt.</summary>
public class LayerWidthsTests
{
    public static TheoryData<string, string> PrunedWidths => new()
    {
        { "resnet20", "conv1=11,layer1.0.conv1=3,layer1.0.conv2=11,layer1.1.conv2=11,layer1.2.conv2=11,layer2.0.conv1=7,layer2.0.conv2=19,layer2.1.conv2=19,layer2.2.conv2=19,layer3.1.conv1=1" },
        { "resnet50", "conv1=9,layer1.0.conv1=5,layer1.0.conv2=13,layer1.0.conv3=31,layer1.1.conv3=31,layer1.2.conv3=31,layer4.2.conv2=17" },
        { "vgg16_bn", "features.0=5,features.3=7,features.7=9,features.40=3" },
        { "vit_tiny", "conv_proj=24,encoder.layers.encoder_layer_0.mlp.0=13,encoder.layers.encoder_layer_11.mlp.0=5" },
    };

    [Theory]
    [MemberData(nameof(PrunedWidths))]
    public void A_network_built_with_irregular_widths_counts_runs_and_rebuilds_from_its_own_widths(string name, string text)
    {
        using var backend = new CpuBackend();
        var widths = LayerWidths.Parse(text);
        using var pruned = ModelZoo.Create(name, new ModuleInit(backend, 3), 3, 32, 32, 4, widths);
        using var dense = ModelZoo.Create(name, ModuleInit.Undrawn(backend), 3, 32, 32, 4);
        var input = new Shape(1, 3, 32, 32);

        var prunedCost = ModelCost.Measure(pruned, input);
        Assert.Equal(pruned.ParameterCount, prunedCost.Parameters);
        Assert.True(prunedCost.Macs < ModelCost.Measure(dense, input).Macs);
        foreach (var (layer, width) in widths.Entries)
            Assert.Equal(width, prunedCost.Rows.Single(r => r.Name == layer).Output[1 + (name == "vit_tiny" && layer != "conv_proj" ? 1 : 0)]);

        // Round trip: the model's own widths, through their text form, rebuild the same names and shapes.
        var own = LayerWidths.Parse(LayerWidths.Of(pruned).ToString());
        using var rebuilt = ModelZoo.Create(name, ModuleInit.Undrawn(backend), 3, 32, 32, 4, own);
        Assert.Equal(pruned.NamedParameters().Select(p => (p.Name, p.Parameter.Value.Shape)),
                     rebuilt.NamedParameters().Select(p => (p.Name, p.Parameter.Value.Shape)));

        using var scope = new TensorScope();
        var y = pruned.Forward(BackboneForwardTests.RandomImages(backend, 2, 3, 32, 2));
        Assert.Equal(new Shape(2, 4), y.Shape);
        BackboneForwardTests.AssertFinite(y.ToArray());
    }

    [Fact]
    public void Widths_that_break_a_residual_stream_or_name_no_layer_are_refused_with_the_layer()
    {
        using var backend = new CpuBackend();
        var init = ModuleInit.Undrawn(backend);
        var stream = Assert.Throws<ArgumentException>(() => ModelZoo.Create("resnet20", init, 1, 28, 28, 10, LayerWidths.Parse("layer1.1.conv2=9")));
        Assert.Contains("layer1.1.conv2", stream.Message);
        var typo = Assert.Throws<ArgumentException>(() => ModelZoo.Create("resnet18", init, 1, 28, 28, 10, LayerWidths.Parse("layer5.0.conv1=9")));
        Assert.Contains("layer5.0.conv1", typo.Message);
        var classes = Assert.Throws<ArgumentException>(() => ModelZoo.Create("vgg16", init, 1, 28, 28, 10, LayerWidths.Parse("classifier.0=7")));
        Assert.Contains("class count", classes.Message);
        Assert.Throws<FormatException>(() => LayerWidths.Parse("conv1:16"));
        Assert.Throws<ArgumentException>(() => LayerWidths.Parse("conv1=16,conv1=8"));
    }

    [Fact]
    public void A_zero_padding_shortcut_cannot_narrow_its_stream()
    {
        using var backend = new CpuBackend();
        var ex = Assert.Throws<ArgumentException>(() =>
            ModelZoo.Create("resnet20", ModuleInit.Undrawn(backend), 1, 28, 28, 10, LayerWidths.Parse("layer2.0.conv2=8,layer2.1.conv2=8,layer2.2.conv2=8")));
        Assert.Contains("zero-padding shortcut", ex.Message);
    }
}
