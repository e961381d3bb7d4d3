using SparseCore.Models.Modules;
using SparseCore.Pass.Baselines;
using SparseCore.Pass.Graph;
using SparseCore.Tensors;
using static SparseCore.Pass.Tests.Baselines.BaselineKit;

namespace SparseCore.Pass.Tests.Baselines;

/// <summary>
/// DepGraph's criterion and regulariser on hand cases: in shared mode a residual stream's channel
/// scores the squared norm of every parameter of every conv writing or reading it, over the largest;
/// in union mode that is group-L2's norm, squared and max-normalised; the regulariser adds
/// λ·16^((I_max − I)/(I_max − I_min))·w.
/// </summary>
public class GroupSparsityTests
{
    private static void ZeroAll(Module model)
    {
        foreach (var p in model.Parameters()) Set(p, _ => 0f);
    }

    [Fact]
    public void A_shared_streams_score_is_the_norm_of_every_parameter_coupled_to_its_channel()
    {
        using var model = ResNet20();
        var graph = ChannelGraph.Of(model);
        var modules = Modules(model);
        ZeroAll(model);
        // The first stream: written by the stem, layer1.0.conv2, layer1.1.conv2 and layer1.2.conv2.
        var stream = graph.Groups[graph.Layer("conv1").Group!.Value];
        Assert.Equal(["conv1", "layer1.0.conv2", "layer1.1.conv2", "layer1.2.conv2"], stream.Writers);
        Set(((Conv2d)modules["conv1"]).Weight, _ => 1f);                     // 27 squares of 1 per channel
        Set(((Conv2d)modules["layer1.0.conv2"]).Weight, _ => 0.5f);          // 16 · 9 · 0.25 = 36 per channel
        Set(((BatchNorm2d)modules["layer1.1.bn2"]).Weight, c => c);          // γ² = c²
        Set(((Conv2d)modules["layer1.2.conv1"]).Weight, _ => -0.25f);        // reads the stream: 16 · 9 / 16 = 9 per input channel
        // I² = 27 + 36 + c² + 9, the largest at c = 15.
        var squares = Enumerable.Range(0, 16).Select(c => 27.0 + 36 + c * c + 9).ToArray();

        var shared = GroupSparsity.Scores(model, graph, ResidualMode.Shared);
        foreach (int mask in stream.Masks)
        {
            var scores = Slice(graph, shared, mask);
            for (int c = 0; c < 16; c++) Assert.Equal(squares[c] / squares[15], scores[c], 5);
        }

        // Per conv (union mode) the stem's channels see only their own filters (27), batch-norm (0) and reader (layer1.0.conv1: 0): all alike.
        var stem = Slice(graph, GroupSparsity.Scores(model, graph, ResidualMode.Union), graph.Layer("conv1").Mask!.Value);
        Assert.All(stem, s => Assert.Equal(1f, s, 5));
    }

    [Theory]
    [InlineData("resnet20")]
    [InlineData("vgg16")]
    public void In_union_mode_the_score_is_the_squared_group_L2_norm_over_its_masks_largest(string name)
    {
        // VGG-16 without batch-norm: no γ or β, and the classifier reads 49 features per channel of the last conv.
        using Module model = name == "vgg16" ? NarrowVgg(batchNorm: false) : ResNet20(seed: 9);
        var graph = ChannelGraph.Of(model);
        foreach (var norm in Modules(model).Values.OfType<BatchNorm2d>())
        {
            Set(norm.Weight, Random(norm.Channels, norm.Channels, 0.5f, 1.5f));
            Set(norm.Bias, Random(norm.Channels, norm.Channels + 1, -0.5f, 0.5f));
        }
        // Group-L2 is the same norm over its mask's mean: squared and over the largest square, it is DepGraph's score.
        var groupL2 = ChannelImportance.GroupL2(model, graph);
        var got = GroupSparsity.Scores(model, graph, ResidualMode.Union);
        foreach (var mask in graph.Masks)
        {
            var expected = Slice(graph, groupL2, mask.Id).Select(v => (double)v * v).ToArray();
            var scores = Slice(graph, got, mask.Id);
            for (int c = 0; c < mask.Channels; c++) Assert.Equal(expected[c] / expected.Max(), scores[c], 1e-5);
        }
    }

    [Fact]
    public void The_regulariser_adds_lambda_times_the_groups_scale_times_w()
    {
        using var model = ResNet20();
        var graph = ChannelGraph.Of(model);
        var conv1 = (Conv2d)Modules(model)["conv1"];
        ZeroAll(model);
        // Stem filter c holds c in all 27 entries: I_c = √27·c, so I_max = 15√27, I_min = 0 and γ_c = 16^((15 − c)/15).
        Set(conv1.Weight, i => i / 27);
        using (var scope = new TensorScope())
            F.SumAll(F.Mul(conv1.Weight.Value, Tensor.FromArray(Cpu, Enumerable.Repeat(1f, conv1.Weight.Value.Size).ToArray(), conv1.Weight.Value.Shape))).Backward();
        foreach (var p in model.Parameters().Where(p => p.Grad is null)) p.Frozen = true; // only the stem's weight has a gradient here
        const float lambda = 1e-2f;
        using (var step = GroupSparsity.Gradient(model, graph, ResidualMode.Union, lambda)) step.Apply(model);

        var g = conv1.Weight.Grad!.ToArray();
        for (int k = 0; k < g.Length; k++)
        {
            int c = k / 27;
            Assert.Equal(1 + lambda * Math.Pow(16, (15 - c) / 15.0) * c, g[k], 1e-6);
        }
    }

    [Fact]
    public void Equal_groups_scale_by_one_and_bad_lambdas_or_models_are_refused()
    {
        using var model = ResNet20();
        using var other = ResNet20();
        var graph = ChannelGraph.Of(model);
        var conv1 = (Conv2d)Modules(model)["conv1"];
        // Every parameter 0.5: the stem's channels have equal groups, so γ = 1 and the gradient gains λ·w.
        foreach (var p in model.Parameters()) Set(p, _ => 0.5f);
        using (var scope = new TensorScope())
            F.SumAll(F.Mul(conv1.Weight.Value, Tensor.FromArray(Cpu, Enumerable.Repeat(1f, conv1.Weight.Value.Size).ToArray(), conv1.Weight.Value.Shape))).Backward();
        foreach (var p in model.Parameters().Where(p => p.Grad is null)) p.Frozen = true;
        Assert.Throws<ArgumentOutOfRangeException>(() => GroupSparsity.Gradient(model, graph, ResidualMode.Shared, -1f));
        using var step = GroupSparsity.Gradient(model, graph, ResidualMode.Union, 1e-3f);
        step.Apply(model);
        Assert.All(conv1.Weight.Grad!.ToArray(), g => Assert.Equal(1f + 1e-3f * 0.5f, g));
        Assert.Contains("another", Assert.Throws<ArgumentException>(() => step.Apply(other)).Message);
    }
}
