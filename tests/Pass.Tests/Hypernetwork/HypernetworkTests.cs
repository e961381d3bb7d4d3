using SparseCore.Models.Modules;
using SparseCore.Pass.Graph;
using SparseCore.Pass.Hypernetwork;
using SparseCore.Pass.Masks;
using SparseCore.Pass.Prompts;
using SparseCore.Tensors;
using static SparseCore.Pass.Tests.Masks.MaskTestKit;

namespace SparseCore.Pass.Tests.Hypernetwork;

/// <summary>
/// The hypernetwork on ResNet-20 (19 masks, widest 64): parameter names and shapes; the recurrence
/// reads each owner conv's input mask from the graph and feeds the in-masked weight means; one
/// masked training step sends gradients to the encoder, the LSTM, every head and the prompt and
/// none to the backbone (not even through the weight statistics when it is not frozen); the same
/// seeds give the same masks; every recurrence mode keeps the exact budget.
/// </summary>
public class HypernetworkTests
{
    private static (ChannelHypernetwork Net, ChannelGraph Graph) Build(Module backbone, ulong seed = 2, bool projection = false)
    {
        var graph = ChannelGraph.Of(backbone);
        return (new ChannelHypernetwork(new ModuleInit(Cpu, seed), backbone, graph, 3, new HypernetworkOptions(Projection: projection)), graph);
    }

    private static Tensor PromptTensor(int seed = 11)
    {
        var v = Tensor.FromArray(Cpu, Random(3 * Side * Side, seed, -0.1f, 0.1f), new Shape(3, Side, Side)).Persist();
        v.RequiresGrad = true;
        return v;
    }

    [Fact]
    public void Parameters_are_named_and_sized_per_mask()
    {
        using var backbone = ResNet20();
        var (net, graph) = Build(backbone);
        using (net)
        {
            var shapes = net.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter.Value.Shape);
            Assert.Equal(64, net.InputWidth);
            Assert.Equal(new Shape(16, 3, 3, 3), shapes["encoder.conv1.weight"]);
            Assert.Equal(new Shape(64, 32, 3, 3), shapes["encoder.conv3.weight"]);
            Assert.Equal(new Shape(256, 64), shapes["lstm.weight_ih_l0"]);
            Assert.Equal(new Shape(256, 64), shapes["lstm.weight_hh_l0"]);
            Assert.Equal(graph.Masks.Count, net.NamedParameters().Count(p => p.Name.StartsWith("heads.", StringComparison.Ordinal) && p.Name.EndsWith(".weight", StringComparison.Ordinal)));
            for (int m = 0; m < graph.Masks.Count; m++)
                Assert.Equal(new Shape(graph.Masks[m].Channels, 64), shapes[$"heads.{m}.weight"]);
            Assert.DoesNotContain(shapes.Keys, k => k.StartsWith("projection.", StringComparison.Ordinal));
        }
        var (projected, _) = Build(backbone, projection: true);
        using (projected) Assert.Equal(new Shape(64, 64), projected.NamedParameters().Single(p => p.Name == "projection.weight").Parameter.Value.Shape);
    }

    [Fact]
    public void The_recurrence_reads_each_owner_convs_input_mask()
    {
        using var backbone = ResNet20();
        var (net, graph) = Build(backbone);
        using var _ = net;
        using var scope = new TensorScope();
        var v = PromptTensor();
        var unmasked = net.Forward(v).ToArray();
        Assert.Equal(graph.TotalChannels, unmasked.Length);

        var asked = new List<int>();
        var allOnes = net.Scores(v, (mask, scores) => { asked.Add(mask); return Enumerable.Repeat(1f, scores.Length).ToArray(); }).ToArray();
        var expected = graph.Masks.Select(m => graph.Layer(m.Owner).InputMask).OfType<int>().ToList();
        Assert.Equal(expected, asked);
        // M(in) = 1 is W̃ = W: the same scores up to summation order.
        for (int i = 0; i < unmasked.Length; i++) Assert.Equal(unmasked[i], allOnes[i], 1e-5f);

        // Keeping one input channel changes every step after the stem and leaves the stem's scores alone.
        var sparse = net.Scores(v, (_, scores) => scores.Select((_, j) => j == 0 ? 1f : 0f).ToArray()).ToArray();
        int stem = graph.Masks[0].Channels;
        Assert.Equal(unmasked.Take(stem), sparse.Take(stem));
        Assert.NotEqual(unmasked.Skip(stem), sparse.Skip(stem));
    }

    [Fact]
    public void A_masked_step_trains_encoder_lstm_heads_and_prompt_but_not_the_backbone()
    {
        using var backbone = ResNet20();
        Freeze(backbone);
        var (net, graph) = Build(backbone);
        using var _ = net;
        using var v = PromptTensor();
        var generator = new MaskGenerator(net, 0.5);
        using (var scope = new TensorScope())
        {
            var masks = generator.Next(v);
            using var applier = new MaskApplier(backbone, graph, masks);
            Loss(backbone.Forward(Images())).Backward();
        }
        Assert.All(net.NamedParameters(), p => Assert.True(AnyNonZero(p.Parameter.Grad), $"{p.Name} received no gradient"));
        Assert.True(AnyNonZero(v.Grad), "the prompt received no gradient through the encoder");
        Assert.All(backbone.NamedParameters(), p => Assert.Null(p.Parameter.Grad));
    }

    [Fact]
    public void The_weight_statistics_are_read_detached_from_an_unfrozen_backbone()
    {
        using var backbone = ResNet20();
        var (net, _) = Build(backbone);
        using var _ = net;
        using var v = PromptTensor();
        var generator = new MaskGenerator(net, 0.5);
        using (var scope = new TensorScope()) Loss(generator.Next(v).Scores).Backward();
        Assert.All(backbone.NamedParameters(), p => Assert.Null(p.Parameter.Grad));
        Assert.True(AnyNonZero(net.Lstm.WeightIh.Grad));
    }

    [Theory]
    [InlineData(RecurrenceThreshold.PreviousStep)]
    [InlineData(RecurrenceThreshold.PerLayer)]
    [InlineData(RecurrenceThreshold.TwoPass)]
    public void Peek_gives_the_next_masks_without_moving_the_recurrence(RecurrenceThreshold recurrence)
    {
        using var backbone = ResNet20(seed: 3);
        var (net, _) = Build(backbone, seed: 4);
        using var _ = net;
        using var v = PromptTensor(seed: 12);
        var generator = new MaskGenerator(net, 0.5, recurrence);
        using var scope = new TensorScope();
        using var noGrad = Autograd.NoGrad();
        Assert.Equal(generator.Budget.Target, generator.Peek(v).Values.Count(x => x == 1f));
        Assert.Null(generator.Threshold);
        Assert.Equal(0.0, generator.LastSparsity);
        generator.Next(v);
        float? threshold = generator.Threshold;
        double sparsity = generator.LastSparsity;
        var peeked = generator.Peek(v).Values.ToArray();
        Assert.Equal(peeked, generator.Peek(v).Values.ToArray());
        Assert.Equal(threshold, generator.Threshold);
        Assert.Equal(sparsity, generator.LastSparsity);
        Assert.Equal(peeked, generator.Next(v).Values.ToArray());
    }

    private static (float[] Masks, float Threshold) TwoSteps(RecurrenceThreshold recurrence)
    {
        using var backbone = ResNet20(seed: 3);
        var (net, _) = Build(backbone, seed: 4);
        using var _ = net;
        using var v = PromptTensor(seed: 12);
        var generator = new MaskGenerator(net, 0.5, recurrence);
        Assert.Null(generator.Threshold);
        using var scope = new TensorScope();
        using var noGrad = Autograd.NoGrad();
        var first = generator.Next(v);
        Assert.Equal(first.Threshold, generator.Threshold);
        var second = generator.Next(v);
        Assert.Equal(generator.Budget.Target, second.Values.Count(x => x == 1f));
        Assert.All(Enumerable.Range(0, generator.Budget.MaskCount), m => Assert.True(second.KeptIn(m) >= 1));
        return (first.Values.Concat(second.Values).ToArray(), second.Threshold);
    }

    [Theory]
    [InlineData(RecurrenceThreshold.PreviousStep)]
    [InlineData(RecurrenceThreshold.PerLayer)]
    [InlineData(RecurrenceThreshold.TwoPass)]
    public void Same_seeds_give_the_same_masks_at_the_exact_budget(RecurrenceThreshold recurrence)
    {
        var a = TwoSteps(recurrence);
        var b = TwoSteps(recurrence);
        Assert.Equal(a.Masks, b.Masks);
        Assert.Equal(a.Threshold, b.Threshold);
    }

    [Fact]
    public void A_prompted_backbone_and_a_bad_prompt_are_handled()
    {
        using var prompted = new PromptedModel(new PadPrompt(new ModuleInit(Cpu, 1), 3, Side, Side), ResNet20());
        var (net, graph) = Build(prompted);
        using var _ = net;
        Assert.Equal("resnet20", graph.Model);
        using var scope = new TensorScope();
        Assert.Equal(graph.TotalChannels, net.Forward(prompted.Prompt.Prompt.Value).Size);
        var error = Assert.Throws<TensorShapeException>(() => net.Forward(Tensor.Zeros(Cpu, new Shape(1, Side, Side))));
        Assert.Contains("PromptEncoder", error.Message);
    }
}
