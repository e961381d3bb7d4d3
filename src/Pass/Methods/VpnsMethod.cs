namespace SparseCore.Pass.Methods;

/// <summary>
/// `vpns`: VPNs (arXiv 2312.01397; the official code UNITES-Lab/VPNs) — HYDRA's scores with one
/// global threshold, learnt jointly with a pad prompt on the frozen network (stage 1), the
/// frequency label mapping computed before it; stage 2 then trains the weights and the prompt with
/// the mask fixed, in the code's paired iteration, and the network is tested without its prompt
/// unless --test-prompt true. docs/vpns.md lists every choice made where the paper is silent.
/// </summary>
public sealed class VpnsMethod : ScoreMethod
{
    protected override bool LearnsPrompt => true;
    protected override string Name => "VPNs";
}
