using SparseCore.Models.Data;
using SparseCore.Pass.Unstructured;

namespace SparseCore.Pass.Tests.Unstructured;

/// <summary>`snip` scores |∂L/∂w ⊙ w| with ∂L/∂w summed over the scoring batches, and hands the dense network back untouched.</summary>
public sealed class SnipMethodTests
{
    [Fact]
    public void Scores_are_the_summed_cross_entropy_gradient_times_the_weight_of_a_linear_layer()
    {
        // One Linear 4 → 3 without bias on 2×2 one-channel images: z = W·x, and per batch of B images
        // ∂L/∂W = (1/B) Σ_n (softmax(z_n) − onehot(y_n)) x_nᵀ, here summed over two batches of 2.
        float[] w = [0.3f, -0.2f, 0.5f, 0.1f, -0.4f, 0.25f, 0.05f, -0.3f, 0.2f, 0.6f, -0.1f, -0.35f];
        float[] images = [0.1f, 0.9f, 0.4f, 0.0f, 1.0f, 0.2f, 0.7f, 0.5f, 0.3f, 0.3f, 0.8f, 0.6f, 0.0f, 0.5f, 0.2f, 1.0f];
        int[] labels = [2, 0, 1, 2];
        using var net = UnstructuredKit.Flat(UnstructuredKit.Linear(4, 3, w));
        net.Eval();
        var before = UnstructuredKit.State(net);
        var dataset = new ImageDataset(images, labels, 1, 2, 2, 3, "hand-set");
        using var loader = new DataLoader(dataset, 2, shuffle: false);

        var scores = SnipMethod.Scores(net, PrunableWeights.Of(net), loader.Epoch(0));

        var gradient = new double[12];
        for (int n = 0; n < 4; n++)
        {
            var x = images.AsSpan(4 * n, 4).ToArray();
            var z = Enumerable.Range(0, 3).Select(j => Enumerable.Range(0, 4).Sum(i => (double)w[4 * j + i] * x[i])).ToArray();
            double max = z.Max(), sum = z.Sum(v => Math.Exp(v - max));
            for (int j = 0; j < 3; j++)
            {
                double p = Math.Exp(z[j] - max) / sum, error = p - (labels[n] == j ? 1 : 0);
                for (int i = 0; i < 4; i++) gradient[4 * j + i] += error * x[i] / 2;
            }
        }
        Assert.Single(scores);
        for (int k = 0; k < 12; k++) Assert.Equal(Math.Abs(gradient[k] * w[k]), scores[0][k], 1e-6);
        UnstructuredKit.AssertUnchanged(before, net);
    }

    [Fact]
    public void Selects_exactly_the_budget_on_ResNet20_and_leaves_its_weights_statistics_and_modes_as_they_were()
    {
        using var net = UnstructuredKit.ResNet20();
        UnstructuredKit.SignedBatchNorms(net);
        net.Eval();
        var before = UnstructuredKit.State(net);
        var options = UnstructuredKit.Options("snip", 0.9, batchSize: 8);
        using var data = UnstructuredKit.Data(options); // 96 training images: 12 batches of 8, of which 10 are read

        var found = UnstructuredKit.Select("snip", net, options, data);

        long total = found.Masks.Values.Sum(m => (long)m.Length);
        Assert.Equal(GlobalSelection.RemovedCount(0.9, total), UnstructuredKit.Removed(found.Masks.Values));
        Assert.Equal(SnipMethod.Batches * 8, found.Cost.Images);
        UnstructuredKit.AssertUnchanged(before, net);
    }
}
