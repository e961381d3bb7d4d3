using SparseCore.Models.Flops;
using SparseCore.Models.IO;
using SparseCore.Models.Modules;
using SparseCore.Models.Zoo;
using SparseCore.Pass.Labels;
using SparseCore.Tensors;
using static SparseCore.Pass.Tests.Prompts.PromptTestKit;

namespace SparseCore.Pass.Tests.Labels;

/// <summary>The mapped logits, their gradient into the wrapped network, and the network's names kept.</summary>
public class LabelMappedModelTests
{
    private static readonly int[] Map = [4, 0, 6]; // unsorted on purpose: the gather keeps the map's order

    /// <summary>[N, 2, 3] → 7 source classes, smooth (GELU) so finite differences are accurate.</summary>
    private static Sequential SmallNetwork() =>
        new(new Flatten(), new Linear(Init(), 6, 8), new GELU(), new Linear(new ModuleInit(Cpu, 2), 8, 7));

    [Fact]
    public void Forward_gives_the_mapped_columns_of_the_networks_logits()
    {
        using var mapped = new LabelMappedModel(SmallNetwork(), Map);
        using var scope = new TensorScope();
        var x = Tensor.FromArray(Cpu, Random(3 * 6, 1, -1f, 1f), new Shape(3, 2, 3));
        var logits = mapped.Inner.Forward(x).ToArray();
        var y = mapped.Forward(x);
        Assert.Equal(new Shape(3, Map.Length), y.Shape);
        var expected = new float[3 * Map.Length];
        for (int n = 0; n < 3; n++)
            for (int c = 0; c < Map.Length; c++) expected[n * Map.Length + c] = logits[n * 7 + Map[c]];
        Assert.Equal(expected, y.ToArray());
        Assert.Equal(Map, mapped.Map);
    }

    [Fact]
    public void Backward_matches_finite_differences_and_leaves_unmapped_classes_without_gradient()
    {
        using var mapped = new LabelMappedModel(SmallNetwork(), Map);
        var x = Random(4 * 6, 2, -1f, 1f);
        var upstream = Random(4 * Map.Length, 3, -1f, 1f);
        double Loss()
        {
            using var noGrad = Autograd.NoGrad();
            using var scope = new TensorScope();
            var y = mapped.Forward(Tensor.FromArray(Cpu, x, new Shape(4, 2, 3))).ToArray();
            return y.Select((v, i) => (double)v * upstream[i]).Sum();
        }

        using (var scope = new TensorScope())
        {
            var y = mapped.Forward(Tensor.FromArray(Cpu, x, new Shape(4, 2, 3)));
            y.Backward(Tensor.FromArray(Cpu, upstream, y.Shape));
        }
        foreach (var (name, p) in mapped.NamedParameters())
        {
            var analytic = p.Grad!.ToArray();
            var values = p.Value.ToArray();
            var numeric = new double[values.Length];
            const float h = 1e-2f;
            for (int i = 0; i < values.Length; i++)
            {
                float v = values[i];
                values[i] = v + h; Set(p, values); double plus = Loss();
                values[i] = v - h; Set(p, values); double minus = Loss();
                values[i] = v; Set(p, values);
                numeric[i] = (plus - minus) / (2 * h);
            }
            double diff = Math.Sqrt(analytic.Select((a, i) => (a - numeric[i]) * (a - numeric[i])).Sum());
            double norm = Math.Sqrt(numeric.Sum(n => n * n));
            Assert.True(diff <= 1e-3 * norm, $"{name}: ‖analytic − numeric‖ = {diff:E2}, ‖numeric‖ = {norm:E2}");
        }

        // The head's bias gradient is the upstream summed over the batch on mapped classes, exactly 0 elsewhere.
        var bias = mapped.NamedParameters().Single(p => p.Name == "3.bias").Parameter.Grad!.ToArray();
        for (int s = 0; s < 7; s++)
        {
            int c = Array.IndexOf(Map, s);
            float expected = c < 0 ? 0f : Enumerable.Range(0, 4).Sum(n => upstream[n * Map.Length + c]);
            Assert.Equal(expected, bias[s], 5);
        }
    }

    [Fact]
    public void A_wrapped_ResNet_keeps_its_names_loads_its_checkpoint_and_counts_its_MACs()
    {
        string path = Path.Combine(Path.GetTempPath(), $"label-mapped-{Guid.NewGuid():N}.safetensors");
        try
        {
            using var bare = ModelZoo.Create("resnet20", Init(), 1, 12, 12, 10);
            using var mapped = new LabelMappedModel(ModelZoo.Create("resnet20", new ModuleInit(Cpu, 2), 1, 12, 12, 10), [7, 2, 9]);
            Assert.Equal(bare.NamedParameters().Select(p => p.Name), mapped.NamedParameters().Select(p => p.Name));
            Assert.Equal(bare.NamedBuffers().Select(b => b.Name), mapped.NamedBuffers().Select(b => b.Name));

            Checkpoint.Save(path, bare);
            Checkpoint.Load(path, mapped);
            bare.Eval();
            mapped.Eval();
            using var scope = new TensorScope();
            var x = Tensor.FromArray(Cpu, Random(2 * 144, 4, 0f, 1f), new Shape(2, 1, 12, 12));
            var logits = bare.Forward(x).ToArray();
            Assert.Equal(new[] { 0, 1 }.SelectMany(n => new[] { 7, 2, 9 }.Select(s => logits[n * 10 + s])), mapped.Forward(x).ToArray());

            var bareCost = ModelCost.Measure(bare, new Shape(1, 1, 12, 12));
            var mappedCost = ModelCost.Measure(mapped, new Shape(1, 1, 12, 12));
            Assert.Equal((bareCost.Macs, bareCost.Parameters), (mappedCost.Macs, mappedCost.Parameters));
            Assert.Equal(new Shape(1, 3), mappedCost.Output);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_map_naming_a_source_class_twice_is_refused()
    {
        using var network = SmallNetwork();
        var e = Assert.Throws<ArgumentException>(() => new LabelMappedModel(network, [1, 3, 1]));
        Assert.Contains("source class 1", e.Message);
    }
}
