using SparseCore.Models.Modules;
using SparseCore.Pass.Graph;
using SparseCore.Pass.Masks;
using SparseCore.Tensors;
using static SparseCore.Pass.Tests.Masks.MaskTestKit;

namespace SparseCore.Pass.Tests.Masks;

/// <summary>
/// The straight-through estimator: through a masked ResNet-20, the gradient reaching the scores
/// equals the gradient of a continuous mask variable held at the same 0/1 point — with scores on
/// five levels (ties across the cut) and one mask starved below every other score (the ≥ 1 rule).
/// </summary>
public class StraightThroughTests
{
    private static float[] GradientAt(Module model, ChannelGraph graph, Tensor mask, Tensor leaf)
    {
        using var applier = new MaskApplier(model, graph, mask);
        var loss = Loss(model.Forward(Images()));
        loss.Backward();
        return leaf.Grad!.ToArray();
    }

    [Fact]
    public void Gradient_to_the_scores_equals_the_continuous_mask_gradient()
    {
        using var model = ResNet20();
        Freeze(model);
        var graph = ChannelGraph.Of(model);
        var budget = new ChannelBudget(graph, 0.5);
        var values = Random(budget.Total, 8, 0f, 1f).Select(v => MathF.Round(v * 4f) / 4f).ToArray();
        int starved = 7;
        for (int j = 0; j < budget.Width(starved); j++) values[budget.Offset(starved) + j] = -1f;

        using var scope = new TensorScope();
        var scores = Tensor.FromArray(Cpu, values, new Shape(budget.Total));
        scores.RequiresGrad = true;
        var set = MaskSet.Select(budget, scores);
        Assert.Equal(budget.Target, set.Values.Count(v => v == 1f));
        Assert.Equal(1, set.KeptIn(starved));
        float cut = set.Threshold;
        Assert.True(values.Count(v => v == cut) > values.Where((v, i) => v == cut && set.Values[i] == 1f).Count(),
            "the cut should split a tie, some tied channels kept and some not");
        var throughScores = GradientAt(model, graph, set.Mask, scores);

        var continuous = Tensor.FromArray(Cpu, set.Values.ToArray(), new Shape(budget.Total));
        continuous.RequiresGrad = true;
        var throughMask = GradientAt(model, graph, continuous, continuous);

        Assert.Equal(throughMask, throughScores);
        // Pruned channels keep an informative gradient (their real output times dL/dy), so they can return.
        Assert.Contains(throughScores.Where((_, i) => set.Values[i] == 0f), g => g != 0f);
    }

    [Fact]
    public void The_hard_mask_must_match_the_scores()
    {
        using var scope = new TensorScope();
        var scores = Tensor.Zeros(Cpu, new Shape(4));
        Assert.Contains("StraightThrough", Assert.Throws<TensorShapeException>(() => StraightThrough.Apply(scores, new float[3])).Message);
    }
}
