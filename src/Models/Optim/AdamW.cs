using SparseCore.Kernels.Optim;
using SparseCore.Models.Modules;
using SparseCore.Tensors;

namespace SparseCore.Models.Optim;

/// <summary>torch.optim.AdamW: Adam with decoupled weight decay (p scaled by 1 − lr·wd each step).</summary>
public sealed class AdamW(IEnumerable<Parameter> parameters, float learningRate = 1e-3f, double beta1 = 0.9,
                          double beta2 = 0.999, float eps = 1e-8f, float weightDecay = 1e-2f)
    : Optimizer(parameters, learningRate)
{
    public override IReadOnlyList<string> StateNames => ["exp_avg", "exp_avg_sq"];

    protected override void Update(Parameter p, Tensor[] state)
    {
        var hyper = new AdamHyper(LearningRate, beta1, beta2, eps, weightDecay, StepCount, DecoupledDecay: true);
        p.Value.Backend.AdamStep(p.Value.Buffer, p.Grad!.Buffer, state[0].Buffer, state[1].Buffer, hyper, p.Value.Size);
    }
}
