using SparseCore.Models.Modules;
using SparseCore.Pass.Baselines;
using SparseCore.Pass.Graph;
using SparseCore.Tensors;
using static SparseCore.Pass.Tests.Baselines.BaselineKit;

namespace SparseCore.Pass.Tests.Baselines;

/// <summary>
/// GrowReg's penalty on hand cases: exactly 2λ·w added to the gradient of every parameter coupled to
/// a channel chosen for removal (filters of every conv sharing its mask, batch-norm γ and β, the
/// readers' input columns) and nothing anywhere else; λ on its schedule, min(ceiling, ⌊n / K⌋·Δ).
/// </summary>
public class GrowingPenaltyTests
{
    /// <summary>Gives every parameter the gradient G (a fixed random vector per parameter) through Σ p·G; returns G by name.</summary>
    private static Dictionary<string, float[]> Backward(Module model)
    {
        var grads = new Dictionary<string, float[]>();
        using var scope = new TensorScope();
        Tensor? loss = null;
        int seed = 70;
        foreach (var (name, p) in model.NamedParameters())
        {
            grads[name] = Random(p.Value.Size, seed++, -1f, 1f);
            var term = F.SumAll(F.Mul(p.Value, Tensor.FromArray(Cpu, grads[name], p.Value.Shape)));
            loss = loss is null ? term : F.Add(loss, term);
        }
        loss!.Backward();
        return grads;
    }

    private static bool[] Removed(ChannelGraph graph, params (string Owner, int Channel)[] chosen)
    {
        var removed = new bool[graph.TotalChannels];
        foreach (var (owner, channel) in chosen)
        {
            int mask = graph.Layer(owner).Mask!.Value;
            removed[graph.Masks.Take(mask).Sum(m => m.Channels) + channel] = true;
        }
        return removed;
    }

    /// <summary>The flat indices of output channel c of a [out, …] tensor, and of input channel c of a conv's [out, in, k, k] weight.</summary>
    private static IEnumerable<int> Row(Parameter p, int c) => Enumerable.Range(c * (p.Value.Size / p.Value.Shape[0]), p.Value.Size / p.Value.Shape[0]);

    private static IEnumerable<int> Column(Conv2d conv, int c) =>
        from o in Enumerable.Range(0, conv.OutChannels)
        from k in Enumerable.Range(0, conv.Kernel * conv.Kernel)
        select (o * conv.InChannels + c) * conv.Kernel * conv.Kernel + k;

    [Fact]
    public void Only_the_chosen_channels_coupled_parameters_gain_two_lambda_w()
    {
        using var model = ResNet20();
        var graph = ChannelGraph.Of(model);
        var modules = Modules(model);
        // Stem channel 3 (read by layer1.0.conv1) and channel 5 of the mask layer2.0.conv2 shares with its downsample conv.
        using var penalty = new GrowingPenalty(model, graph, Removed(graph, ("conv1", 3), ("layer2.0.conv2", 5)), new GrowingSchedule(0.25f, 1, 1f));
        var before = Backward(model);
        penalty.Apply(model);
        Assert.Equal(0.25f, penalty.Lambda);

        var conv = (string name) => (Conv2d)modules[name];
        int shared = graph.Layer("layer2.0.conv2").Mask!.Value;
        var readers = graph.Layers.Where(l => l.InputMask == shared).Select(l => l.Name).ToArray();
        Assert.Equal(["layer2.1.conv1"], readers);
        var touched = new Dictionary<string, HashSet<int>>
        {
            ["conv1.weight"] = [.. Row(conv("conv1").Weight, 3)],
            ["bn1.weight"] = [3], ["bn1.bias"] = [3],
            ["layer1.0.conv1.weight"] = [.. Column(conv("layer1.0.conv1"), 3)],
            ["layer2.0.conv2.weight"] = [.. Row(conv("layer2.0.conv2").Weight, 5)],
            ["layer2.0.bn2.weight"] = [5], ["layer2.0.bn2.bias"] = [5],
            ["layer2.0.downsample.0.weight"] = [.. Row(conv("layer2.0.downsample.0").Weight, 5)],
            ["layer2.0.downsample.1.weight"] = [5], ["layer2.0.downsample.1.bias"] = [5],
        };
        foreach (var reader in readers) touched[reader + ".weight"] = [.. Column(conv(reader), 5)];
        Assert.Equal(16 * 9, touched["layer1.0.conv1.weight"].Count);

        foreach (var (name, p) in model.NamedParameters())
        {
            var g = p.Grad!.ToArray();
            var w = p.Value.ToArray();
            var set = touched.GetValueOrDefault(name) ?? [];
            for (int k = 0; k < g.Length; k++)
                Assert.True(set.Contains(k) ? g[k] == before[name][k] + 0.5f * w[k] : g[k] == before[name][k], $"{name}[{k}]");
        }
    }

    [Fact]
    public void Lambda_grows_by_delta_every_interval_steps_up_to_the_ceiling_and_the_gradient_follows_it()
    {
        using var model = ResNet20();
        var graph = ChannelGraph.Of(model);
        var schedule = new GrowingSchedule(0.3f, 2, 1f);
        float[] expected = [0f, 0.3f, 0.3f, 0.6f, 0.6f, 0.9f, 0.9f, 1f, 1f, 1f];
        for (int n = 1; n <= expected.Length; n++) Assert.Equal(expected[n - 1], schedule.LambdaAt(n), 6);

        using var penalty = new GrowingPenalty(model, graph, Removed(graph, ("conv1", 0)), schedule);
        var gamma = ((BatchNorm2d)Modules(model)["bn1"]).Weight;
        float w = gamma.Value.ToArray()[0];
        Backward(model);
        for (int n = 1; n <= expected.Length; n++)
        {
            float g0 = gamma.Grad!.ToArray()[0];
            penalty.Apply(model);
            Assert.Equal(n, penalty.Steps);
            Assert.Equal(expected[n - 1], penalty.Lambda, 6);
            Assert.Equal(2 * expected[n - 1] * w, gamma.Grad!.ToArray()[0] - g0, 5);
        }
    }

    [Fact]
    public void Bad_schedules_flags_and_another_model_are_refused()
    {
        using var model = ResNet20();
        using var other = ResNet20();
        var graph = ChannelGraph.Of(model);
        var removed = new bool[graph.TotalChannels];
        Assert.Throws<ArgumentOutOfRangeException>(() => new GrowingPenalty(model, graph, removed, new GrowingSchedule(0f, 1, 1f)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new GrowingPenalty(model, graph, removed, new GrowingSchedule(1e-2f, 0, 1f)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new GrowingPenalty(model, graph, removed, new GrowingSchedule(1e-2f, 1, float.NaN)));
        Assert.Contains("removal flag", Assert.Throws<ArgumentException>(() => new GrowingPenalty(model, graph, new bool[3], new GrowingSchedule(1e-2f, 1, 1f))).Message);
        using var penalty = new GrowingPenalty(model, graph, removed, new GrowingSchedule(1e-2f, 1, 1f));
        Assert.Contains("another", Assert.Throws<ArgumentException>(() => penalty.Apply(other)).Message);
    }
}
