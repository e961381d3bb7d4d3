using SparseCore.Models.Modules;
using SparseCore.Pass.Baselines;
using SparseCore.Pass.Graph;
using SparseCore.Pass.Prompts;
using static SparseCore.Pass.Tests.Baselines.BaselineKit;

namespace SparseCore.Pass.Tests.Baselines;

/// <summary>
/// The baselines' channel scores: hand-set weights with hand-computed scores (the stem, a mask
/// shared with a downsample conv, a classifier reading 49 features per channel), a double-precision
/// recomputation of filter L1, group-L1 and group-L2 over whole networks, each mask's mean 1 for
/// the rescaled criteria, slimming's mean over shared batch-norms and refusal without batch-norm,
/// and the random scores' determinism.
/// </summary>
public class ChannelImportanceTests
{
    [Fact]
    public void L1_of_the_stem_is_each_filters_absolute_sum_over_the_masks_mean()
    {
        using var model = ResNet20();
        var graph = ChannelGraph.Of(model);
        // Filter c holds ±0.1·(c + 1) in all 27 entries: L1 = 2.7·(c + 1), mean over 16 filters 2.7·8.5.
        Set(((Conv2d)Modules(model)["conv1"]).Weight, i => (i % 2 == 0 ? 0.1f : -0.1f) * (i / 27 + 1));
        var stem = Slice(graph, ChannelImportance.L1(model, graph), graph.Layer("conv1").Mask!.Value);
        Assert.Equal(16, stem.Length);
        for (int c = 0; c < 16; c++) Assert.Equal((c + 1) / 8.5, stem[c], 5);
    }

    [Fact]
    public void L1_adds_a_downsample_convs_rows_to_the_mask_it_shares()
    {
        using var model = ResNet20();
        var graph = ChannelGraph.Of(model);
        var modules = Modules(model);
        int mask = graph.Layer("layer2.0.conv2").Mask!.Value;
        Assert.Equal(["layer2.0.conv2", "layer2.0.downsample.0"], graph.Masks[mask].Layers);
        // conv2 [32, 32, 3, 3] all ones: 288 per filter; the 1×1 downsample [32, 16, 1, 1] holds −c in filter c: 16·c.
        Set(((Conv2d)modules["layer2.0.conv2"]).Weight, _ => 1f);
        Set(((Conv2d)modules["layer2.0.downsample.0"]).Weight, i => -(i / 16));
        var scores = Slice(graph, ChannelImportance.L1(model, graph), mask);
        // Mean of 288 + 16·c over c < 32 is 288 + 16·15.5 = 536.
        for (int c = 0; c < 32; c++) Assert.Equal((288 + 16.0 * c) / 536, scores[c], 5);
    }

    [Fact]
    public void Group_L2_of_the_stem_couples_its_filters_batch_norm_and_the_next_convs_input_columns()
    {
        using var model = ResNet20();
        var graph = ChannelGraph.Of(model);
        var modules = Modules(model);
        int mask = graph.Layer("conv1").Mask!.Value;
        Assert.Equal(["layer1.0.conv1"], graph.Layers.Where(l => l.InputMask == mask).Select(l => l.Name));
        Set(((Conv2d)modules["conv1"]).Weight, _ => 1f);                  // 27 squares of 1 per filter
        Set(((BatchNorm2d)modules["bn1"]).Weight, c => c);                 // γ² = c²
        Set(((BatchNorm2d)modules["bn1"]).Bias, _ => -1f);                 // β² = 1
        Set(((Conv2d)modules["layer1.0.conv1"]).Weight, _ => 0.5f);        // 16 outputs · 9 · 0.25 = 36 per input channel
        var scores = Slice(graph, ChannelImportance.GroupL2(model, graph), mask);
        var norms = Enumerable.Range(0, 16).Select(c => Math.Sqrt(64.0 + c * c)).ToArray();
        for (int c = 0; c < 16; c++) Assert.Equal(norms[c] / norms.Average(), scores[c], 5);
    }

    [Fact]
    public void Group_L1_of_the_stem_adds_the_absolute_filter_batch_norm_and_next_convs_input_columns()
    {
        using var model = ResNet20();
        var graph = ChannelGraph.Of(model);
        var modules = Modules(model);
        int mask = graph.Layer("conv1").Mask!.Value;
        Assert.Equal(["layer1.0.conv1"], graph.Layers.Where(l => l.InputMask == mask).Select(l => l.Name));
        Set(((Conv2d)modules["conv1"]).Weight, i => i % 2 == 0 ? 1f : -1f); // 27 entries of |1| per filter
        Set(((BatchNorm2d)modules["bn1"]).Weight, c => -c);                 // |γ| = c
        Set(((BatchNorm2d)modules["bn1"]).Bias, _ => -1f);                  // |β| = 1
        Set(((Conv2d)modules["layer1.0.conv1"]).Weight, _ => 0.5f);         // 16 outputs · 9 · 0.5 = 72 per input channel
        var scores = Slice(graph, ChannelImportance.GroupL1(model, graph), mask);
        // 27 + c + 1 + 72 = 100 + c; the mean over 16 channels is 107.5.
        for (int c = 0; c < 16; c++) Assert.Equal((100.0 + c) / 107.5, scores[c], 5);
    }

    [Fact]
    public void Group_L2_reads_all_49_flattened_features_of_a_channel_in_the_classifier()
    {
        using var model = NarrowVgg(batchNorm: false);
        var graph = ChannelGraph.Of(model);
        var modules = Modules(model);
        var last = graph.Masks[^1];
        var reader = graph.Layers.Single(l => l.InputMask == last.Id);
        Assert.Equal(("classifier.0", 49, 3), (reader.Name, reader.InputPositions, last.Channels));
        // The last conv contributes nothing; feature f of the classifier belongs to channel f / 49 and holds c + 1.
        Set(((Conv2d)modules[last.Owner]).Weight, _ => 0f);
        Set(((Conv2d)modules[last.Owner]).Bias!, _ => 0f);
        Set(((Linear)modules["classifier.0"]).Weight, i => i % (3 * 49) / 49 + 1);
        var scores = Slice(graph, ChannelImportance.GroupL2(model, graph), last.Id);
        // ‖column block of c‖ = (c + 1)·√(5 outputs · 49); rescaled by the mean of c + 1 over 3 channels, 2.
        for (int c = 0; c < 3; c++) Assert.Equal((c + 1) / 2.0, scores[c], 5);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void L1_group_L1_and_group_L2_equal_a_double_recomputation_with_mean_one_per_mask(bool vgg)
    {
        using var model = vgg ? NarrowVgg(batchNorm: true) : ResNet20();
        var graph = ChannelGraph.Of(model);
        var modules = Modules(model);
        // Non-trivial batch-norm and bias values, so that every coupled term counts.
        int seed = 10;
        foreach (var norm in modules.Values.OfType<BatchNorm2d>())
        {
            Set(norm.Weight, Random(norm.Channels, seed++, -2f, 2f));
            Set(norm.Bias, Random(norm.Channels, seed++, -1f, 1f));
        }
        foreach (var conv in modules.Values.OfType<Conv2d>().Where(c => c.Bias is not null))
            Set(conv.Bias!, Random(conv.OutChannels, seed++, -1f, 1f));

        var l1 = ChannelImportance.L1(model, graph);
        var groupL1 = ChannelImportance.GroupL1(model, graph);
        var l2 = ChannelImportance.GroupL2(model, graph);
        Assert.Equal(graph.TotalChannels, l1.Length);
        Assert.Equal(graph.TotalChannels, groupL1.Length);
        Assert.Equal(graph.TotalChannels, l2.Length);
        foreach (var mask in graph.Masks)
        {
            var (expectedL1, expectedGroupL1, expectedL2) = Reference(graph, modules, mask);
            var gotL1 = Slice(graph, l1, mask.Id);
            var gotGroupL1 = Slice(graph, groupL1, mask.Id);
            var gotL2 = Slice(graph, l2, mask.Id);
            for (int c = 0; c < mask.Channels; c++)
            {
                Assert.Equal(expectedL1[c] / expectedL1.Average(), gotL1[c], 4);
                Assert.Equal(expectedGroupL1[c] / expectedGroupL1.Average(), gotGroupL1[c], 4);
                Assert.Equal(expectedL2[c] / expectedL2.Average(), gotL2[c], 4);
            }
            Assert.Equal(1.0, gotL1.Average(x => (double)x), 5);
            Assert.Equal(1.0, gotGroupL1.Average(x => (double)x), 5);
            Assert.Equal(1.0, gotL2.Average(x => (double)x), 5);
        }
    }

    /// <summary>Raw filter L1, group-L1 and group-L2 of one mask, by explicit indexing in double precision.</summary>
    private static (double[] L1, double[] GroupL1, double[] L2) Reference(ChannelGraph graph, Dictionary<string, Module> modules, ChannelMask mask)
    {
        var l1 = new double[mask.Channels];
        var absolutes = new double[mask.Channels];
        var squares = new double[mask.Channels];
        foreach (var name in mask.Layers)
        {
            var conv = (Conv2d)modules[name];
            var w = conv.Weight.Value.ToArray();
            int k2 = conv.Kernel * conv.Kernel;
            for (int o = 0; o < conv.OutChannels; o++)
                for (int i = 0; i < conv.InChannels; i++)
                    for (int k = 0; k < k2; k++)
                    {
                        double v = w[(o * conv.InChannels + i) * k2 + k];
                        l1[o] += Math.Abs(v);
                        absolutes[o] += Math.Abs(v);
                        squares[o] += v * v;
                    }
            var bias = conv.Bias?.Value.ToArray();
            var norm = graph.Layer(name).Norm is { } n ? (BatchNorm2d)modules[n] : null;
            var gamma = norm?.Weight.Value.ToArray();
            var beta = norm?.Bias.Value.ToArray();
            for (int o = 0; o < conv.OutChannels; o++)
            {
                if (bias is not null)
                {
                    absolutes[o] += Math.Abs(bias[o]);
                    squares[o] += (double)bias[o] * bias[o];
                }
                if (gamma is not null)
                {
                    absolutes[o] += Math.Abs(gamma[o]) + Math.Abs(beta![o]);
                    squares[o] += (double)gamma[o] * gamma[o] + (double)beta[o] * beta[o];
                }
            }
        }
        foreach (var reader in graph.Layers.Where(l => l.InputMask == mask.Id))
        {
            switch (modules[reader.Name])
            {
                case Conv2d conv:
                    var w = conv.Weight.Value.ToArray();
                    int k2 = conv.Kernel * conv.Kernel;
                    for (int o = 0; o < conv.OutChannels; o++)
                        for (int c = 0; c < mask.Channels; c++)
                            for (int k = 0; k < k2; k++)
                            {
                                double v = w[(o * conv.InChannels + c) * k2 + k];
                                absolutes[c] += Math.Abs(v);
                                squares[c] += v * v;
                            }
                    break;
                case Linear linear:
                    var lw = linear.Weight.Value.ToArray();
                    int p = reader.InputPositions;
                    for (int o = 0; o < linear.OutFeatures; o++)
                        for (int c = 0; c < mask.Channels; c++)
                            for (int q = 0; q < p; q++)
                            {
                                double v = lw[o * linear.InFeatures + c * p + q];
                                absolutes[c] += Math.Abs(v);
                                squares[c] += v * v;
                            }
                    break;
            }
        }
        return (l1, absolutes, squares.Select(Math.Sqrt).ToArray());
    }

    [Fact]
    public void BN_scale_averages_absolute_gammas_over_a_masks_layers_without_rescaling()
    {
        using var model = ResNet20();
        var graph = ChannelGraph.Of(model);
        var modules = Modules(model);
        var a = Random(32, 1, -2f, 2f);
        var b = Random(32, 2, -2f, 2f);
        Set(((BatchNorm2d)modules["layer2.0.bn2"]).Weight, a);
        Set(((BatchNorm2d)modules["layer2.0.downsample.1"]).Weight, b);
        var scores = ChannelImportance.BnScale(model, graph);
        var shared = Slice(graph, scores, graph.Layer("layer2.0.conv2").Mask!.Value);
        for (int c = 0; c < 32; c++) Assert.Equal((Math.Abs(a[c]) + Math.Abs(b[c])) / 2, shared[c], 6);
        // Untouched batch-norms keep γ = 1: raw |γ|, not rescaled to a mean.
        Assert.All(Slice(graph, scores, graph.Layer("layer1.0.conv1").Mask!.Value), s => Assert.Equal(1f, s));
    }

    [Fact]
    public void BN_scale_of_a_mask_over_two_batch_norms_equals_one_over_a_single_batch_norm_with_the_same_gammas()
    {
        using var model = ResNet20();
        var graph = ChannelGraph.Of(model);
        var modules = Modules(model);
        // layer2.0.conv1's mask covers one batch-norm; layer2.0.conv2's also covers the downsample's.
        Assert.Single(graph.Masks[graph.Layer("layer2.0.conv1").Mask!.Value].Layers);
        Assert.Equal(2, graph.Masks[graph.Layer("layer2.0.conv2").Mask!.Value].Layers.Count);
        var gamma = Random(32, 3, -2f, 2f);
        Set(((BatchNorm2d)modules["layer2.0.bn1"]).Weight, gamma);
        Set(((BatchNorm2d)modules["layer2.0.bn2"]).Weight, gamma);
        Set(((BatchNorm2d)modules["layer2.0.downsample.1"]).Weight, gamma.Select(g => -g).ToArray());
        var scores = ChannelImportance.BnScale(model, graph);
        var single = Slice(graph, scores, graph.Layer("layer2.0.conv1").Mask!.Value);
        var shared = Slice(graph, scores, graph.Layer("layer2.0.conv2").Mask!.Value);
        Assert.Equal(single, shared);
        for (int c = 0; c < 32; c++) Assert.Equal(Math.Abs(gamma[c]), shared[c]);
    }

    [Fact]
    public void BN_scale_on_VGG16_without_batch_norm_names_the_layer_and_slimming()
    {
        using var model = NarrowVgg(batchNorm: false);
        var graph = ChannelGraph.Of(model);
        var e = Assert.Throws<ArgumentException>(() => ChannelImportance.BnScale(model, graph));
        Assert.Contains("'features.0'", e.Message);
        Assert.Contains("slimming", e.Message);
        Assert.Contains("batch-norm", e.Message);
    }

    [Fact]
    public void A_prompted_model_scores_as_its_backbone()
    {
        using var backbone = ResNet20();
        var graph = ChannelGraph.Of(backbone);
        var expected = (ChannelImportance.L1(backbone, graph), ChannelImportance.BnScale(backbone, graph), ChannelImportance.GroupL2(backbone, graph), ChannelImportance.GroupL1(backbone, graph));
        using var prompted = new PromptedModel(new PadPrompt(new ModuleInit(Cpu, 1), 3, Side, Side), backbone);
        Assert.Equal(expected.Item1, ChannelImportance.L1(prompted, graph));
        Assert.Equal(expected.Item2, ChannelImportance.BnScale(prompted, graph));
        Assert.Equal(expected.Item3, ChannelImportance.GroupL2(prompted, graph));
        Assert.Equal(expected.Item4, ChannelImportance.GroupL1(prompted, graph));
    }

    [Fact]
    public void A_graph_of_another_network_is_refused_by_layer()
    {
        using var resnet = ResNet20();
        using var vgg = NarrowVgg(batchNorm: true);
        var e = Assert.Throws<ArgumentException>(() => ChannelImportance.L1(resnet, ChannelGraph.Of(vgg)));
        Assert.Contains("features.0", e.Message);
        Assert.Contains("another network", e.Message);
    }

    [Fact]
    public void Non_finite_weights_are_refused_naming_the_parameter()
    {
        using var model = ResNet20();
        var graph = ChannelGraph.Of(model);
        Set(((Conv2d)Modules(model)["layer3.1.conv1"]).Weight, i => i == 40 ? float.NaN : 0.5f);
        var e = Assert.Throws<ArgumentException>(() => ChannelImportance.GroupL2(model, graph));
        Assert.Contains("'layer3.1.conv1' weight", e.Message);
        Assert.Contains("non-finite", e.Message);
        Set(((BatchNorm2d)Modules(model)["layer1.2.bn2"]).Weight, c => c == 3 ? float.PositiveInfinity : 1f);
        e = Assert.Throws<ArgumentException>(() => ChannelImportance.BnScale(model, graph));
        Assert.Contains("γ of 'layer1.2.bn2'", e.Message);
    }

    [Fact]
    public void Random_scores_repeat_for_a_seed_and_differ_between_seeds()
    {
        using var model = ResNet20();
        var graph = ChannelGraph.Of(model);
        var a = ChannelImportance.Random(graph, 7);
        Assert.Equal(graph.TotalChannels, a.Length);
        Assert.Equal(a, ChannelImportance.Random(graph, 7));
        var b = ChannelImportance.Random(graph, 8);
        Assert.True(a.Zip(b).Count(p => p.First != p.Second) > graph.TotalChannels * 9 / 10);
        Assert.All(a, s => Assert.InRange(s, 0f, 1f));
        Assert.True(a.Distinct().Count() > graph.TotalChannels * 9 / 10);
    }
}
