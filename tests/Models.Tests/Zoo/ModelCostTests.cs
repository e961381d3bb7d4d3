using SparseCore.Kernels.Cpu;
using SparseCore.Models.Flops;
using SparseCore.Models.Modules;
using SparseCore.Models.Zoo;
using SparseCore.Tensors;

namespace SparseCore.Models.Tests.Zoo;

/// <summary>The MACs and parameter counter against the figures the pruning literature quotes.</summary>
public class ModelCostTests
{
    private static ModelCost Measure(string name, int channels, int side, int classes, LayerWidths? widths = null,
                                     IReadOnlyDictionary<string, int>? kept = null)
    {
        using var backend = new CpuBackend();
        using var model = ModelZoo.Create(name, ModuleInit.Undrawn(backend), channels, side, side, classes, widths);
        var cost = ModelCost.Measure(model, new Shape(1, channels, side, side), kept);
        if (kept is null) Assert.Equal(model.ParameterCount, cost.Parameters); // the walk sees every parameter
        return cost;
    }

    private static void Near(double expected, double actual, double tolerance = 0.005) =>
        Assert.True(Math.Abs(actual - expected) <= tolerance * expected, $"expected {expected:G6} ± {tolerance:P1}, got {actual:G6}");

    [Theory]
    [InlineData("resnet18", 1.814e9, 11.69e6)]
    [InlineData("resnet50", 4.09e9, 25.56e6)]
    [InlineData("vgg16", 15.47e9, 138.36e6)]
    public void ImageNet_backbones_at_224_px_match_the_quoted_figures(string name, double macs, double parameters)
    {
        var cost = Measure(name, 3, 224, 1000);
        Near(macs, cost.Macs);
        Near(parameters, cost.Parameters);
        Assert.Equal(new Shape(1, 1000), cost.Output);
    }

    [Fact]
    public void ResNet20_counts_40_55_M_MACs_with_zero_padding_and_40_81_M_with_conv_shortcuts()
    {
        var a = Measure("resnet20", 3, 32, 10);
        Near(40.55e6, a.Macs);
        Near(0.27e6, a.Parameters);

        using var backend = new CpuBackend();
        using var b = new ResNet(new ModuleInit(backend, 1), ResNetSpec.Cifar(20, ResNetShortcut.Conv), InputSpec.For(3, 32, 32), 10);
        var costB = ModelCost.Measure(b, new Shape(1, 3, 32, 32));
        Near(40.81e6, costB.Macs);
        // Two 1×1 convs with their batch-norms on top of option A's parameters.
        Assert.Equal(a.Parameters + (16 * 32 + 2 * 32) + (32 * 64 + 2 * 64), costB.Parameters);
    }

    [Fact]
    public void A_hand_computed_odd_network_is_counted_exactly()
    {
        using var backend = new CpuBackend();
        var init = new ModuleInit(backend, 1);
        using var net = new Sequential(
            new Conv2d(init, 3, 5, 3, stride: 2, padding: 1),          // 11×13 → 6×7
            new BatchNorm2d(init, 5),
            new ReLU(),
            new Conv2d(init, 5, 7, 1, bias: false),                   // 6×7
            new MaxPool2d(2, 2),                                      // 3×3
            new Flatten(),
            new Linear(init, 63, 9));
        var cost = ModelCost.Measure(net, new Shape(1, 3, 11, 13));

        Assert.Equal(new Shape(1, 9), cost.Output);
        Assert.Equal(["0", "1", "3", "6"], cost.Rows.Select(r => r.Name));
        Assert.Equal([5L * 3 * 9 * 6 * 7, 0, 7L * 5 * 6 * 7, 63L * 9], cost.Rows.Select(r => r.Macs));
        Assert.Equal([5L * 3 * 9 + 5, 2 * 5, 7 * 5, 63 * 9 + 9], cost.Rows.Select(r => r.Parameters));
        Assert.Equal(new Shape(1, 5, 6, 7), cost.Rows[0].Output);
        Assert.Equal(net.ParameterCount, cost.Parameters);

        // Masked: 2 of conv 0's outputs kept → bn and conv 3 see 2 inputs; 4 of conv 3's kept → linear sees 4·9.
        var masked = ModelCost.Measure(net, new Shape(1, 3, 11, 13), new Dictionary<string, int> { ["0"] = 2, ["3"] = 4 });
        Assert.Equal([2L * 3 * 9 * 6 * 7, 0, 4L * 2 * 6 * 7, 36L * 9], masked.Rows.Select(r => r.Macs));
        Assert.Equal([2L * 3 * 9 + 2, 2 * 2, 4 * 2, 36 * 9 + 9], masked.Rows.Select(r => r.Parameters));
    }

    [Fact]
    public void A_masked_network_costs_what_the_network_built_with_its_kept_widths_costs()
    {
        var kept = new Dictionary<string, int> { ["conv1"] = 12, ["layer1.0.conv1"] = 5, ["layer2.0.conv1"] = 17, ["layer3.2.conv1"] = 33 };
        var masked = Measure("resnet20", 1, 28, 10, kept: kept);
        // conv1 is the residual stream of stage 1, so the identity blocks' conv2 follow it.
        var widths = new LayerWidths(kept.Concat([KeyValuePair.Create("layer1.0.conv2", 12), KeyValuePair.Create("layer1.1.conv2", 12), KeyValuePair.Create("layer1.2.conv2", 12)]));
        var rebuilt = Measure("resnet20", 1, 28, 10, widths: widths);
        var dense = Measure("resnet20", 1, 28, 10);
        Assert.True(masked.Macs < dense.Macs);
        Assert.True(rebuilt.Macs <= masked.Macs);
        // The masked walk keeps the dense stream width in stage 1's identity blocks (union of 12 masked
        // and 16 unmasked writers), so the rebuilt network, whose whole stream has 12, is cheaper there only.
        var stage2Up = (ModelCost c) => c.Rows.Where(r => !r.Name.StartsWith("layer1.", StringComparison.Ordinal) && r.Name != "conv1" && r.Name != "bn1"
                                                            && r.Name != "layer2.0.conv1" && r.Name != "layer2.0.shortcut").Sum(r => r.Macs);
        Assert.Equal(stage2Up(rebuilt), stage2Up(masked));
    }

    [Fact]
    public void Unknown_or_out_of_range_kept_channels_are_refused_with_the_layer_name()
    {
        var typo = Assert.Throws<ArgumentException>(() => Measure("resnet20", 3, 32, 10, kept: new Dictionary<string, int> { ["layer1.0.conv9"] = 3 }));
        Assert.Contains("layer1.0.conv9", typo.Message);
        var wide = Assert.Throws<ArgumentException>(() => Measure("resnet20", 3, 32, 10, kept: new Dictionary<string, int> { ["layer1.0.conv1"] = 17 }));
        Assert.Contains("layer1.0.conv1", wide.Message);
    }

    [Fact]
    public void Vit_attention_matmuls_are_listed_apart_from_the_linear_MACs()
    {
        var cost = Measure("vit_tiny", 3, 32, 10);
        long tokens = 65, embed = 192;
        Assert.Equal(12 * 2 * tokens * tokens * embed, cost.AttentionMacs);
        var attention = cost.Rows.Single(r => r.Name == "encoder.layers.encoder_layer_0.self_attention");
        Assert.Equal(tokens * 4 * embed * embed, attention.Macs);
        Assert.Contains(cost.Rows, r => r.Name == "class_token" && r.Parameters == embed);
        Assert.Contains(cost.Rows, r => r.Name == "encoder.pos_embedding" && r.Parameters == tokens * embed);
    }

    [Fact]
    public void The_table_lists_every_counted_layer_and_the_totals()
    {
        var cost = Measure("resnet20", 3, 32, 10);
        string table = cost.Format();
        Assert.Contains("layer3.2.conv2", table);
        Assert.Contains("[1, 64, 8, 8]", table);
        Assert.Contains("fc", table);
        Assert.Contains("M parameters", table);
        Assert.Equal(cost.Rows.Count + 5, table.TrimEnd('\n').Split('\n').Length); // header, 2 rules, total, summary
    }
}
