using SparseCore.Kernels.Optim;
using SparseCore.Models.Modules;
using SparseCore.Tensors;

namespace SparseCore.Models.Optim;

/// <summary>
/// torch.optim.Adam (amsgrad off): weight decay is L2, added to the gradient (g + wd·p) before the
/// moments, so it is rescaled by the adaptive step like any gradient — unlike <see cref="AdamW"/>'s
/// decoupled decay. VPNs trains its scores and prompt this way (wd 1e-4). The state is torch's
/// ("exp_avg", "exp_avg_sq"), so checkpoints carry over between the two.
/// </summary>
public sealed class Adam(IEnumerable<Parameter> parameters, float learningRate = 1e-3f, double beta1 = 0.9,
                         double beta2 = 0.999, float eps = 1e-8f, float weightDecay = 0f)
    : Optimizer(parameters, learningRate)
{
    public override IReadOnlyList<string> StateNames => ["exp_avg", "exp_avg_sq"];

    protected override void Update(Parameter p, Tensor[] state)
    {
        var hyper = new AdamHyper(LearningRate, beta1, beta2, eps, weightDecay, StepCount, DecoupledDecay: false);
        p.Value.Backend.AdamStep(p.Value.Buffer, p.Grad!.Buffer, state[0].Buffer, state[1].Buffer, hyper, p.Value.Size);
    }
}
