using SparseCore.Models.Modules;
using SparseCore.Pass.Unstructured;
using SparseCore.Tensors;

namespace SparseCore.Pass.Tests.Unstructured;

/// <summary>`synflow` scores the synaptic flow of |θ| on an all-ones input, over 100 rounds to exactly the budget, and hands the dense network back untouched.</summary>
public sealed class SynFlowMethodTests
{
    // A linear chain 3 → 4 → 2 without biases, w1 [4, 3] and w2 [2, 4] row-major, signs mixed.
    private static readonly float[] W1 = [0.5f, -0.2f, 0.1f, -0.7f, 0.3f, 0.25f, 0.05f, -0.6f, 0.4f, 0.9f, -0.15f, -0.35f];
    private static readonly float[] W2 = [-0.3f, 0.8f, 0.2f, -0.1f, 0.45f, -0.05f, 0.6f, 0.7f];
    private static readonly Shape ChainInput = new(1, 3, 1, 1);

    private static Sequential Chain(params Module[] before) =>
        new([.. before, new Flatten(), UnstructuredKit.Linear(3, 4, W1), UnstructuredKit.Linear(4, 2, W2)]);

    private static float[][] Ones(IReadOnlyList<PrunableWeight> weights) => weights.Select(w => Enumerable.Repeat(1f, w.Size).ToArray()).ToArray();

    /// <summary>The paths through w1[j, i] are 1 · |w1[j, i]| · |w2[k, j]| for every k; those through w2[k, j], |w1[j, i]| · |w2[k, j]| for every i.</summary>
    private static (double[] First, double[] Second) PathProducts(float[] w1, float[] w2)
    {
        var first = new double[12];
        var second = new double[8];
        for (int j = 0; j < 4; j++)
        {
            double outgoing = Math.Abs(w2[j]) + Math.Abs(w2[4 + j]);
            double incoming = Math.Abs(w1[3 * j]) + Math.Abs(w1[3 * j + 1]) + Math.Abs(w1[3 * j + 2]);
            for (int i = 0; i < 3; i++) first[3 * j + i] = Math.Abs(w1[3 * j + i]) * outgoing;
            for (int k = 0; k < 2; k++) second[4 * k + j] = Math.Abs(w2[4 * k + j]) * incoming;
        }
        return (first, second);
    }

    [Fact]
    public void The_first_rounds_scores_are_the_path_products_of_a_linear_chain()
    {
        using var net = Chain();
        net.Eval();
        var before = UnstructuredKit.State(net);
        var weights = PrunableWeights.Of(net);
        float[][] scores;
        using (var linear = new SynFlowMethod.Linearized(net, weights, ChainInput)) scores = linear.Scores(Ones(weights), 1);

        var (first, second) = PathProducts(W1, W2);
        for (int k = 0; k < 12; k++) Assert.Equal(first[k], scores[0][k], 1e-6);
        for (int k = 0; k < 8; k++) Assert.Equal(second[k], scores[1][k], 1e-6);
        UnstructuredKit.AssertUnchanged(before, net);
    }

    [Fact]
    public void Biases_enter_by_their_magnitude_as_every_parameter_does()
    {
        // Biases of −10 would shut every ReLU; as |b| = 10 they open them, and w2[k, j]'s flow gains |b1[j]|.
        using var net = new Sequential(new Flatten(), UnstructuredKit.Linear(3, 4, W1, bias: [-10f, -10f, -10f, -10f]), new ReLU(),
            UnstructuredKit.Linear(4, 2, W2));
        var weights = PrunableWeights.Of(net);
        float[][] scores;
        using (var linear = new SynFlowMethod.Linearized(net, weights, ChainInput)) scores = linear.Scores(Ones(weights), 1);

        var (first, _) = PathProducts(W1, W2);
        for (int k = 0; k < 12; k++) Assert.Equal(first[k], scores[0][k], 1e-5);
        for (int k = 0; k < 2; k++)
            for (int j = 0; j < 4; j++)
            {
                double incoming = Math.Abs(W1[3 * j]) + Math.Abs(W1[3 * j + 1]) + Math.Abs(W1[3 * j + 2]) + 10;
                Assert.Equal(Math.Abs(W2[4 * k + j]) * incoming, scores[1][4 * k + j], 1e-5);
            }
    }

    [Fact]
    public void The_input_normalisation_is_skipped_so_the_first_layer_sees_ones()
    {
        using var plain = Chain();
        using var normalised = Chain(new Normalize(0.5f, 0.25f));
        var a = PrunableWeights.Of(plain);
        var b = PrunableWeights.Of(normalised);
        using var linearA = new SynFlowMethod.Linearized(plain, a, ChainInput);
        using var linearB = new SynFlowMethod.Linearized(normalised, b, ChainInput);
        Assert.Equal(linearA.Scores(Ones(a), 1), linearB.Scores(Ones(b), 1));
    }

    [Fact]
    public void A_removed_weight_scores_minus_one_carries_no_flow_and_stays_removed()
    {
        using var net = Chain();
        var weights = PrunableWeights.Of(net);
        var masks = Ones(weights);
        masks[0][9] = 0f; // w1[3, 0] = 0.9, the largest weight
        float[][] scores;
        using (var linear = new SynFlowMethod.Linearized(net, weights, ChainInput)) scores = linear.Scores(masks, 2);

        var w1 = (float[])W1.Clone();
        w1[9] = 0f;
        var (first, second) = PathProducts(w1, W2);
        Assert.Equal(-1f, scores[0][9]);
        for (int k = 0; k < 12; k++)
            if (k != 9) Assert.Equal(first[k], scores[0][k], 1e-6);
        for (int k = 0; k < 8; k++) Assert.Equal(second[k], scores[1][k], 1e-6);
        Assert.Equal(0f, GlobalSelection.Masks(scores, 3)[0][9]);
    }

    [Fact]
    public void Rounds_follow_the_exponential_schedule_each_inside_the_last_and_end_on_the_budget()
    {
        const double s = 0.75;
        const int rounds = 5;
        using var net = Chain();
        net.Eval();
        var before = UnstructuredKit.State(net);
        var weights = PrunableWeights.Of(net);
        var masks = Ones(weights);
        using (var linear = new SynFlowMethod.Linearized(net, weights, ChainInput))
        {
            for (int r = 1; r <= rounds; r++)
            {
                // Density after round r: 0.25^(r/5); of 20 weights ⌊20·(1 − 0.25^(r/5))⌋ are gone: 4, 8, 11, 13, 15.
                long removed = GlobalSelection.RemovedCount(SynFlowMethod.RoundSparsity(s, r, rounds), 20);
                Assert.Equal(new[] { 4L, 8, 11, 13, 15 }[r - 1], removed);
                var next = GlobalSelection.Masks(linear.Scores(masks, r), removed);
                for (int l = 0; l < 2; l++)
                    for (int i = 0; i < masks[l].Length; i++)
                        Assert.True(masks[l][i] == 1f || next[l][i] == 0f, $"round {r} brought back weight {i} of layer {l}");
                Assert.Equal(removed, UnstructuredKit.Removed(next));
                masks = next;
            }
        }
        UnstructuredKit.AssertUnchanged(before, net);
        Assert.Equal(masks, SynFlowMethod.Prune(net, weights, ChainInput, s, rounds));
        UnstructuredKit.AssertUnchanged(before, net);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.7)]
    [InlineData(0.9)]
    [InlineData(0.98)]
    public void The_last_round_is_the_budget_itself(double s)
    {
        Assert.Equal(s, SynFlowMethod.RoundSparsity(s, SynFlowMethod.Rounds, SynFlowMethod.Rounds));
        for (int r = 1; r < SynFlowMethod.Rounds; r++)
            Assert.True(SynFlowMethod.RoundSparsity(s, r, SynFlowMethod.Rounds) < SynFlowMethod.RoundSparsity(s, r + 1, SynFlowMethod.Rounds));
    }

    [Fact]
    public void Selects_exactly_the_budget_on_ResNet20_and_leaves_its_weights_statistics_and_modes_as_they_were()
    {
        using var net = UnstructuredKit.ResNet20();
        UnstructuredKit.SignedBatchNorms(net);
        net.Eval();
        var before = UnstructuredKit.State(net);
        var options = UnstructuredKit.Options("synflow", 0.9);
        using var data = UnstructuredKit.Data(options);

        var found = UnstructuredKit.Select("synflow", net, options, data);

        long total = found.Masks.Values.Sum(m => (long)m.Length);
        Assert.Equal(GlobalSelection.RemovedCount(0.9, total), UnstructuredKit.Removed(found.Masks.Values));
        Assert.Equal(0, found.Cost.Images);
        UnstructuredKit.AssertUnchanged(before, net);
    }

    [Fact]
    public void An_overflowing_flow_is_an_error_naming_SynFlow_and_the_round_and_the_network_comes_back()
    {
        using var net = new Sequential(new Flatten(),
            UnstructuredKit.Linear(3, 4, Enumerable.Repeat(-1e30f, 12).ToArray()), UnstructuredKit.Linear(4, 2, Enumerable.Repeat(1e30f, 8).ToArray()));
        net.Eval();
        var before = UnstructuredKit.State(net);
        var e = Assert.Throws<InvalidOperationException>(() => SynFlowMethod.Prune(net, PrunableWeights.Of(net), ChainInput, 0.5, 3));
        Assert.Contains("SynFlow: round 1", e.Message);
        UnstructuredKit.AssertUnchanged(before, net);
    }
}
