using SparseCore.Kernels;
using SparseCore.Kernels.Cpu;
using SparseCore.Models.Modules;
using SparseCore.Tensors;

namespace SparseCore.Pass.Tests.Prompts;

internal static class PromptTestKit
{
    public static readonly Backend Cpu = new CpuBackend();

    public static ModuleInit Init() => new(Cpu, 1);

    public static float[] Random(int n, int seed, float lo, float hi)
    {
        var rng = new System.Random(seed);
        return Enumerable.Range(0, n).Select(_ => lo + (float)rng.NextDouble() * (hi - lo)).ToArray();
    }

    public static void Set(Parameter p, float[] values) => p.Value.Backend.Upload<float>(values, p.Value.Buffer);

    /// <summary>Runs the prompt on x, backpropagates a random output gradient, returns (output, dV, the gradient used).</summary>
    public static (float[] Y, float[] GradV, float[] G) RunWithGradient(Module prompt, Parameter v, float[] x, Shape shape, bool training = true)
    {
        prompt.Train(training);
        using var scope = new TensorScope();
        var input = Tensor.FromArray(Cpu, x, shape);
        var y = prompt.Forward(input);
        var g = Random(y.Size, 77, -1f, 1f);
        v.Value.ZeroGrad();
        y.Backward(Tensor.FromArray(Cpu, g, y.Shape));
        return (y.ToArray(), v.Grad!.ToArray(), g);
    }
}
