using SparseCore.Kernels.Cpu;
using SparseCore.Models.Modules;
using SparseCore.Models.Zoo;
using SparseCore.Pass.Graph;
using SparseCore.Pass.Prompts;

namespace SparseCore.Pass.Tests.Graph;

/// <summary>
/// Channel graphs of every supported backbone: mask counts (the paper's 17 for ResNet-18), shared
/// downsample masks and their input masks, residual groups per stage (both CIFAR shortcut types,
/// ResNet-50's stem outside any group), VGG's chain and flatten, every layer exactly once.
/// </summary>
public class ChannelGraphTests
{
    private static readonly CpuBackend Cpu = new();

    private static Module Build(string name, int side = 32, int channels = 3) =>
        ModelZoo.Create(name, ModuleInit.Undrawn(Cpu), channels, side, side, 10);

    private static ChannelGraph GraphOf(Module model)
    {
        using (model) return ChannelGraph.Of(model);
    }

    private static void EveryLayerOnce(Module model, ChannelGraph graph)
    {
        var expected = model.NamedModules().Where(m => m.Module is Conv2d or Linear).Select(m => m.Name).ToList();
        Assert.Equal(expected, graph.Layers.Select(l => l.Name).ToList());
        Assert.Equal(graph.Layers.Count, graph.Layers.Select(l => l.Name).Distinct().Count());
        Assert.Equal(Enumerable.Range(0, graph.Layers.Count), graph.Layers.Select(l => l.Index));
        // Every mask's layers are exactly the layers pointing at it, and its owner comes first.
        foreach (var mask in graph.Masks)
        {
            Assert.Equal(graph.Layers.Where(l => l.Mask == mask.Id).Select(l => l.Name), mask.Layers);
            Assert.Equal(mask.Owner, mask.Layers[0]);
            Assert.True(graph.Layer(mask.Owner).OwnsMask);
        }
        Assert.All(graph.Layers.Where(l => l.Kind == LayerKind.Conv), l => Assert.True(l.Prunable));
        Assert.All(graph.Layers.Where(l => l.Kind == LayerKind.Linear), l => Assert.False(l.Prunable));
        Assert.Null(graph.Layers[0].InputMask);
    }

    [Theory]
    [InlineData("resnet18", 32, 20, 17)]
    [InlineData("resnet18", 224, 20, 17)]
    [InlineData("resnet34", 32, 36, 33)]
    [InlineData("resnet50", 32, 53, 49)]
    [InlineData("resnet20", 28, 19, 19)]
    [InlineData("resnet56", 32, 55, 55)]
    [InlineData("vgg16", 28, 13, 13)]
    [InlineData("vgg16_bn", 32, 13, 13)]
    public void Counts_of_convs_and_distinct_masks(string name, int side, int convs, int masks)
    {
        using var model = Build(name, side);
        var graph = ChannelGraph.Of(model);
        EveryLayerOnce(model, graph);
        Assert.Equal(name, graph.Model);
        Assert.Equal(convs, graph.Layers.Count(l => l.Kind == LayerKind.Conv));
        Assert.Equal(masks, graph.Masks.Count);
        Assert.Equal(graph.Masks.Sum(m => graph.Layer(m.Owner).OutChannels), graph.TotalChannels);
        Assert.Null(graph.Layers.Last().Mask);
    }

    [Fact]
    public void ResNet18_downsample_convs_share_the_last_conv_mask_and_read_the_block_input()
    {
        var g = GraphOf(Build("resnet18"));
        Assert.Equal(4, g.Groups.Count);
        Assert.Equal(["conv1", "layer1.0.conv2", "layer1.1.conv2"], g.Groups[0].Writers);
        Assert.Equal(3, g.Groups[0].Masks.Count);
        for (int s = 2; s <= 4; s++)
        {
            var ds = g.Layer($"layer{s}.0.downsample.0");
            var conv2 = g.Layer($"layer{s}.0.conv2");
            Assert.False(ds.OwnsMask);
            Assert.Equal(conv2.Mask, ds.Mask);
            Assert.Equal($"layer{s}.0.downsample.1", ds.Norm);
            Assert.Equal(g.Layer($"layer{s - 1}.1.conv2").Mask, ds.InputMask);
            Assert.Equal(ds.InputMask, g.Layer($"layer{s}.0.conv1").InputMask);
            Assert.Equal(s - 2, ds.InputGroup);
            Assert.Equal([$"layer{s}.0.conv2", $"layer{s}.0.downsample.0", $"layer{s}.1.conv2"], g.Groups[s - 1].Writers);
            Assert.Equal(2, g.Groups[s - 1].Masks.Count);
            Assert.Null(g.Groups[s - 1].PaddedFrom);
        }
        var conv2In = g.Layer("layer1.0.conv2");
        Assert.Equal(g.Layer("layer1.0.conv1").Mask, conv2In.InputMask);
        Assert.Null(conv2In.InputGroup);
        Assert.Equal("layer1.0.bn2", conv2In.Norm);
        var fc = g.Layer("fc");
        Assert.Equal(g.Layer("layer4.1.conv2").Mask, fc.InputMask);
        Assert.Equal(3, fc.InputGroup);
        Assert.Equal(1, fc.InputPositions);
        Assert.Equal("bn1", g.Layer("conv1").Norm);
    }

    [Fact]
    public void ResNet50_conv3_writes_the_stream_and_the_stem_joins_no_group()
    {
        var g = GraphOf(Build("resnet50"));
        Assert.Equal(4, g.Groups.Count);
        Assert.Null(g.Layer("conv1").Group);
        Assert.Null(g.Masks[0].Group);
        Assert.Equal(g.Layer("layer1.0.conv3").Mask, g.Layer("layer1.0.downsample.0").Mask);
        Assert.Equal(g.Masks[0].Id, g.Layer("layer1.0.downsample.0").InputMask);
        Assert.Equal(["layer1.0.conv3", "layer1.0.downsample.0", "layer1.1.conv3", "layer1.2.conv3"], g.Groups[0].Writers);
        Assert.Equal([4, 5, 7, 4], g.Groups.Select(gr => gr.Writers.Count));
        Assert.Equal([256, 512, 1024, 2048], g.Groups.Select(gr => gr.Channels));
    }

    [Fact]
    public void Cifar_ResNet_with_zero_padding_shortcuts_starts_a_group_at_each_padding()
    {
        var g = GraphOf(Build("resnet20", 28, 1));
        Assert.Equal(3, g.Groups.Count);
        Assert.Equal(["conv1", "layer1.0.conv2", "layer1.1.conv2", "layer1.2.conv2"], g.Groups[0].Writers);
        Assert.Equal(["layer2.0.conv2", "layer2.1.conv2", "layer2.2.conv2"], g.Groups[1].Writers);
        Assert.Equal([16, 32, 64], g.Groups.Select(gr => gr.Channels));
        Assert.Equal([null, 0, 1], g.Groups.Select(gr => gr.PaddedFrom));
        Assert.Equal([null, "layer2.0.shortcut", "layer3.0.shortcut"], g.Groups.Select(gr => gr.PaddingShortcut));
        Assert.Equal(g.Layer("layer1.2.conv2").Mask, g.Layer("layer2.0.conv1").InputMask);
        Assert.Equal(0, g.Layer("layer2.0.conv1").InputGroup);
        Assert.Equal(16 + 6 * 16 + 6 * 32 + 6 * 64, g.TotalChannels);
    }

    [Fact]
    public void Cifar_ResNet_with_conv_shortcuts_shares_masks_like_torchvision()
    {
        using var model = new ResNet(ModuleInit.Undrawn(Cpu), ResNetSpec.Cifar(20, ResNetShortcut.Conv), InputSpec.For(3, 32, 32), 10);
        var g = ChannelGraph.Of(model);
        EveryLayerOnce(model, g);
        Assert.Equal(21, g.Layers.Count(l => l.Kind == LayerKind.Conv));
        Assert.Equal(19, g.Masks.Count);
        Assert.Equal(3, g.Groups.Count);
        Assert.Equal(["layer2.0.conv2", "layer2.0.downsample.0", "layer2.1.conv2", "layer2.2.conv2"], g.Groups[1].Writers);
        Assert.All(g.Groups, gr => Assert.Null(gr.PaddedFrom));
    }

    [Theory]
    [InlineData("vgg16", 32, false, 1)]
    [InlineData("vgg16_bn", 28, true, 1)]
    [InlineData("vgg16", 224, false, 49)]
    public void Vgg_is_a_chain_and_the_first_classifier_layer_reads_the_last_mask_through_the_flatten(string name, int side, bool bn, int positions)
    {
        using var model = Build(name, side);
        var g = ChannelGraph.Of(model);
        EveryLayerOnce(model, g);
        var convs = g.Layers.Where(l => l.Kind == LayerKind.Conv).ToList();
        Assert.Empty(g.Groups);
        for (int i = 0; i < convs.Count; i++)
        {
            Assert.Equal(i, convs[i].Mask);
            Assert.Equal(i == 0 ? null : i - 1, convs[i].InputMask);
            Assert.Null(convs[i].Group);
            int index = int.Parse(convs[i].Name["features.".Length..]);
            Assert.Equal(bn ? $"features.{index + 1}" : null, convs[i].Norm);
        }
        var linears = g.Layers.Where(l => l.Kind == LayerKind.Linear).ToList();
        Assert.Equal("classifier.0", linears[0].Name);
        Assert.Equal(12, linears[0].InputMask);
        Assert.Equal(512, linears[0].InChannels);
        Assert.Equal(positions, linears[0].InputPositions);
        Assert.All(linears.Skip(1), l => Assert.Null(l.InputMask));
        Assert.Equal(positions == 49 ? 3 : 1, linears.Count);
    }

    [Fact]
    public void A_prompted_model_has_its_backbones_graph()
    {
        using var prompted = new PromptedModel(new PadPrompt(ModuleInit.Undrawn(Cpu), 3, 32, 32), Build("resnet18"));
        var g = ChannelGraph.Of(prompted);
        Assert.Equal(17, g.Masks.Count);
        Assert.Equal("conv1", g.Layers[0].Name);
    }

    [Theory]
    [InlineData("mlp", "mlp")]
    [InlineData("vit_tiny", "vit_tiny")]
    public void Unsupported_backbones_are_refused_by_name(string name, string expected)
    {
        using var model = Build(name);
        var e = Assert.Throws<NotSupportedException>(() => ChannelGraph.Of(model));
        Assert.Contains(expected, e.Message);
        Assert.Contains("resnet20", e.Message);
    }
}
