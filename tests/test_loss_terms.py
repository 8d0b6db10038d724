"""Each method's training loss, recomputed here from its paper's equation in plain torch.

For every estimator: build a batch, ask the estimator for the loss training uses
(``get_loss(infer(X), y, training=True)``), and compare it with cross-entropy plus each term
written out from the paper (not through the library's helpers), at the weight the schedule has
reached. Where training samples (Gumbel masks, VIB noise, dropout views), the same seed
reproduces the draw; where inference uses an expectation, the test rebuilds the prediction from
it. A wrong sign, a doubled weight or a weight that ignores its schedule fails here.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from skorch.utils import to_tensor

from skinterp import (
    AGNClassifier,
    AttentionClassifier,
    EntropyClassifier,
    EVarMClassifier,
    IBAClassifier,
    L2XClassifier,
    PCTClassifier,
    SCCClassifier,
    SCLClassifier,
    SimCSEClassifier,
    TextClassifier,
    VATClassifier,
    VMaskClassifier,
)

TINY = dict(embedding_dim=16, num_filters=8, hidden_size=8, lr=1e-2, batch_size=16, random_state=0)


def fitted(cls, toy, **kw):
    X, y = toy
    return cls(**{**TINY, "max_epochs": 1, **kw}).fit(X, y)


def batch(clf, toy, n=12):
    X, y = toy
    ds = clf.get_dataset(list(X[:n]), np.searchsorted(clf.classes_, np.asarray(y[:n])))
    Xi, yi = next(iter(clf.get_iterator(ds, training=False)))
    return to_tensor(Xi, "cpu"), torch.as_tensor(yi)


def training_loss(clf, Xi, yi, seed=0):
    """What a training step minimises, and the forward pass it came from (train mode)."""
    clf.module_.train()
    clf.history.new_batch()
    torch.manual_seed(seed)
    y_pred = clf.infer(Xi)
    return clf.get_loss(y_pred, yi, X=Xi, training=True), y_pred


def neg_entropy(p, real):
    """Mean over real tokens of p log p + (1 - p) log(1 - p) (VMASK eq. 9, E-VarM eq. 9,
    SCC eq. 6): minus the entropy of a Bernoulli(p)."""
    h = p * p.log() + (1 - p) * (1 - p).log()
    real = real.to(h.dtype)
    return (h * real).sum() / real.sum()


def supcon(z, positives, tau):
    """Khosla et al. eq. 2 / E-VarM eq. 10, averaged over anchors that have a positive:
    -1/|P(i)| sum_p log exp(s_ip / tau) / sum_{a != i} exp(s_ia / tau), s = cosine."""
    z = F.normalize(z, dim=-1)
    n = len(z)
    total, anchors = 0.0, 0
    for i in range(n):
        pos = [p for p in range(n) if p != i and positives[i, p]]
        if not pos:
            continue
        denom = sum(torch.exp(z[i] @ z[a] / tau) for a in range(n) if a != i)
        total = total - sum(torch.log(torch.exp(z[i] @ z[p] / tau) / denom) for p in pos) / len(pos)
        anchors += 1
    return total / anchors


def same_label(y):
    return y.view(-1, 1) == y.view(1, -1)


@pytest.mark.parametrize("cls", [TextClassifier, AGNClassifier, AttentionClassifier, L2XClassifier])
def test_plain_cross_entropy(toy, cls):
    """Base, AGN, attention and L2X train on cross-entropy alone."""
    kw = {"encoder": "lstm"} if cls is AttentionClassifier else {}
    clf = fitted(cls, toy, **kw)
    Xi, yi = batch(clf, toy)
    loss, (logits, _) = training_loss(clf, Xi, yi)
    assert loss.item() == pytest.approx(F.cross_entropy(logits, yi).item(), rel=1e-6)


def test_weight_decay_is_the_l2_baseline(toy):
    """The l2 baseline's penalty lambda/2 ||w||^2 is Adam's weight_decay (its gradient)."""
    clf = fitted(TextClassifier, toy, weight_decay=0.05)
    assert {g["weight_decay"] for g in clf.optimizer_.param_groups} == {0.05}


def test_vmask_eq_9_at_the_annealed_beta(toy):
    """VMASK eq. 9: CE + beta * E[p log p + (1 - p) log(1 - p)], p = q(R_x = 1 | x) from the
    inference network on the word vector; beta is the schedule's current value."""
    clf = fitted(VMaskClassifier, toy, beta=0.5, beta_step=0.2)
    clf.module_.beta.fill_(0.37)  # where the schedule is, not the constructor's beta
    Xi, yi = batch(clf, toy)
    loss, (logits, _) = training_loss(clf, Xi, yi)
    layer = clf.module_.mask_layer
    vectors = clf.module_.encoder.word_embedding_matrix[Xi["input_ids"]]
    p = torch.softmax(layer.net(vectors), -1)[..., 1]
    want = F.cross_entropy(logits, yi) + 0.37 * neg_entropy(p, Xi["attention_mask"])
    assert loss.item() == pytest.approx(want.item(), rel=1e-5)
    # inference multiplies each embedding by its expectation E[R_x] = p
    clf.module_.eval()
    with torch.no_grad():
        got, _ = clf.module_(Xi["input_ids"], Xi["attention_mask"])
        out = clf.module_.encoder(
            Xi["input_ids"], Xi["attention_mask"], None, lambda e: e * p.unsqueeze(-1)
        )
        np.testing.assert_allclose(got, clf.module_.head(out.pooled), rtol=1e-5, atol=1e-6)
    # training draws a hard 0/1 mask: two seeds, two different predictions
    _, (a, _) = training_loss(clf, Xi, yi, seed=1)
    _, (b, _) = training_loss(clf, Xi, yi, seed=2)
    assert not torch.allclose(a, b)


def test_iba_capacity_term(toy):
    """IBA (VMASK appendix C): CE + beta * KL[N(lam x + (1-lam) mu, (1-lam)^2 sigma^2) ||
    N(mu, sigma^2)] averaged over dimensions and real tokens; inference replaces the noise by
    its mean mu."""
    clf = fitted(IBAClassifier, toy, beta=0.7)
    Xi, yi = batch(clf, toy)
    clf.module_.eval()  # fixed running statistics: evaluation computes the same term
    with torch.no_grad():
        y_pred = clf.infer(Xi)
        clf.history.new_batch()
        loss = clf.get_loss(y_pred, yi, X=Xi, training=False)
    layer = clf.module_.mask_layer
    x = clf.module_.encoder.word_embedding_matrix[Xi["input_ids"]]
    lam = torch.sigmoid(layer.net(x)).detach()
    mu, sigma = layer.mu, layer.sigma
    kl = 0.5 * (((1 - lam) ** 2) + (lam * (x - mu)) ** 2 / sigma**2 - 1 - torch.log((1 - lam) ** 2))
    kl = kl.mean(-1)
    real = Xi["attention_mask"].float()
    want = F.cross_entropy(y_pred[0], yi) + 0.7 * (kl * real).sum() / real.sum()
    assert loss.item() == pytest.approx(want.item(), rel=1e-4)
    with torch.no_grad():  # z = lam x + (1 - lam) mu at inference
        out = clf.module_.encoder(
            Xi["input_ids"], Xi["attention_mask"], None, lambda e: lam * e + (1 - lam) * mu
        )
        np.testing.assert_allclose(y_pred[0], clf.module_.head(out.pooled), rtol=1e-5, atol=1e-6)


def test_evarm_eq_9_vib_stage(toy):
    """E-VarM eq. 9 (the VIB stage): CE on z = r * x + beta * the KL of the gate's Bernoulli
    to Bernoulli(0.5) up to a constant, p from the gate over the concatenated hidden layers
    h(0)..h(L) of an unmasked pass (eq. 1)."""
    clf = fitted(EVarMClassifier, toy, beta=0.3, contrastive=False)
    Xi, yi = batch(clf, toy)
    loss, (logits, _) = training_loss(clf, Xi, yi)
    with torch.no_grad():
        states = torch.cat(
            clf.module_.encoder(Xi["input_ids"], Xi["attention_mask"]).hidden_states, -1
        )
    p = torch.softmax(clf.module_.gate.net(states), -1)[..., 1]
    want = F.cross_entropy(logits, yi) + 0.3 * neg_entropy(p, Xi["attention_mask"])
    assert loss.item() == pytest.approx(want.item(), rel=1e-5)
    # inference: z = E[r] * x, the gate's expectation instead of a Gumbel sample
    m = clf.module_
    m.eval()
    with torch.no_grad():
        got, _ = m(Xi["input_ids"], Xi["attention_mask"])
        out = m.encoder(Xi["input_ids"], Xi["attention_mask"], None, lambda e: e * p.unsqueeze(-1))
        np.testing.assert_allclose(got, m.head(out.pooled), rtol=1e-5, atol=1e-6)


def test_evarm_eq_10_contrastive_stage(toy):
    """E-VarM eq. 10: supervised contrastive loss over x, x' and z of every text, positives of
    the same label, temperature tau. With a mask that keeps every word, x' = z = x."""
    clf = fitted(EVarMClassifier, toy, tau=0.4)
    Xi, yi = batch(clf, toy)
    clf.module_.eval()  # no dropout: the three views are exactly the unmasked pass
    keep_all = torch.ones_like(Xi["attention_mask"], dtype=torch.float32)
    with torch.no_grad():
        loss, _ = clf._contrastive(Xi, yi, keep_all)
        pooled = clf.module_.encoder(Xi["input_ids"], Xi["attention_mask"]).pooled
    views, labels = pooled.repeat(3, 1), yi.repeat(3)
    assert loss.item() == pytest.approx(supcon(views, same_label(labels), 0.4).item(), rel=1e-5)


def test_evarm_end_to_end_adds_both_stages(toy):
    """training="end_to_end": one step minimises eq. 9 + eq. 10 on the same mask."""
    clf = fitted(EVarMClassifier, toy, beta=0.3, training="end_to_end")
    Xi, yi = batch(clf, toy)
    clf.module_.train()
    clf.history.new_batch()
    torch.manual_seed(3)
    loss, (logits, extras) = clf._stage_loss("vib+con", Xi, yi)
    torch.manual_seed(3)  # the same gate sample and the same x' draw, in order
    clf.infer(Xi)
    con, _ = clf._contrastive(Xi, yi, extras["mask"])
    with torch.no_grad():
        states = torch.cat(
            clf.module_.encoder(Xi["input_ids"], Xi["attention_mask"]).hidden_states, -1
        )
    p = torch.softmax(clf.module_.gate.net(states), -1)[..., 1]
    vib = F.cross_entropy(logits, yi) + 0.3 * neg_entropy(p, Xi["attention_mask"])
    assert loss.item() == pytest.approx((vib + con).item(), rel=1e-5)


def test_scc_eq_1_sparse_coding_and_contrastive_terms(toy):
    """SCC eq. 1: CE + (sparsity * ||M_bar||_1 over real tokens + gamma * sum M log M +
    (1-M) log(1-M)) + lam * L_cc, with gamma where its annealing is; L_cc (§3.2) over
    [z, z_f, z_b]: z and z_f of same-class texts are positives, backgrounds are positives of
    each other."""
    clf = fitted(SCCClassifier, toy, lam=0.6, tau=0.5, sparsity=0.7, early_stopping=False)
    clf.module_.gamma.fill_(0.25)
    Xi, yi = batch(clf, toy)
    loss, (logits, extras) = training_loss(clf, Xi, yi)
    real = Xi["attention_mask"].float()
    with torch.no_grad():
        states = clf.module_.encoder(Xi["input_ids"], Xi["attention_mask"]).hidden_states
    B, T, _ = states[0].shape
    layer = clf.module_.gate
    scores = layer.score_types(torch.cat(states, -1).reshape(B * T, -1)).view(B, T, 2)
    M = torch.softmax(scores, -1)[..., 1]
    m_bar = extras["mask"]  # the hard sample of eq. 5 that the classifier saw
    assert set(m_bar.unique().tolist()) <= {0.0, 1.0}
    l1 = (m_bar * real).sum() / real.sum()
    sparse = 0.7 * l1 + 0.25 * neg_entropy(M, real)  # sparsity weighs the l1 term
    clf.module_.eval()  # the views below are deterministic passes
    with torch.no_grad():

        def pooled(scale):
            return clf.module_.encoder(
                Xi["input_ids"], Xi["attention_mask"], None, lambda e: e * scale.unsqueeze(-1)
            ).pooled

        z, z_b = pooled(torch.ones_like(m_bar)), pooled(1 - m_bar)
    n = len(yi)
    pos = torch.zeros(3 * n, 3 * n, dtype=torch.bool)
    pos[: 2 * n, : 2 * n] = same_label(yi).repeat(2, 2)
    pos[2 * n :, 2 * n :] = True
    cc = supcon(torch.cat([z, extras["pooled"].detach(), z_b]), pos, 0.5)
    want = F.cross_entropy(logits, yi) + sparse + 0.6 * cc
    assert loss.item() == pytest.approx(want.item(), rel=1e-4)
    # inference (eq. 8 at test time): the expectation M instead of the sample M_bar
    with torch.no_grad():
        got, _ = clf.module_(Xi["input_ids"], Xi["attention_mask"])
        np.testing.assert_allclose(got, clf.module_.head(pooled(M)), rtol=1e-5, atol=1e-6)


def test_scc_whole_view_from_the_first_pass_has_the_gradients_of_an_extra_pass(toy):
    """The whole-text view z of L_cc is the module's first pass, kept with its gradients: the
    loss and every parameter's gradient equal those of the extra-pass computation."""
    clf = fitted(SCCClassifier, toy, lam=0.6, tau=0.5, early_stopping=False)
    Xi, yi = batch(clf, toy)
    grads = []
    for reuse in (True, False):
        clf.module_.whole_view = reuse
        clf.module_.zero_grad()
        loss, (_, extras) = training_loss(clf, Xi, yi)
        assert ("whole_pooled" in extras) is reuse
        loss.backward()
        grads.append((loss.item(), [p.grad.clone() for p in clf.module_.encoder.parameters()]))
    assert grads[0][0] == pytest.approx(grads[1][0], rel=1e-6)
    for a, b in zip(grads[0][1], grads[1][1], strict=True):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-6)


def test_scl_loss(toy):
    """SCL (Gunel et al.): CE + lam * supervised contrastive loss of the pooled features."""
    clf = fitted(SCLClassifier, toy, lam=0.8, tau=0.2)
    Xi, yi = batch(clf, toy)
    loss, (logits, extras) = training_loss(clf, Xi, yi)
    want = F.cross_entropy(logits, yi) + 0.8 * supcon(extras["pooled"], same_label(yi), 0.2)
    assert loss.item() == pytest.approx(want.item(), rel=1e-5)


def test_simcse_loss(toy):
    """SimCSE (Gao et al. eq. 1): two dropout views of each text; the other view is the one
    positive, the other texts' views are negatives; CE + lam * that InfoNCE."""
    clf = fitted(SimCSEClassifier, toy, lam=0.4, tau=0.1)
    Xi, yi = batch(clf, toy)
    loss, (logits, extras) = training_loss(clf, Xi, yi, seed=5)
    torch.manual_seed(5)  # the same two dropout draws, in order
    clf.module_.train()
    _, first = clf.module_(**Xi)
    _, second = clf.module_(**Xi)
    n = len(yi)
    pos = torch.zeros(2 * n, 2 * n, dtype=torch.bool)
    pos[torch.arange(n), torch.arange(n) + n] = True
    pos[torch.arange(n) + n, torch.arange(n)] = True
    views = torch.cat([first["features"], second["features"]]).detach()
    want = F.cross_entropy(logits, yi) + 0.4 * supcon(views, pos, 0.1)
    assert loss.item() == pytest.approx(want.item(), rel=1e-5)


def test_vat_eq_8_compressor_and_learner_phases(toy):
    """VAT eq. 8: CE + beta * KL[N(u, sigma^2) || N(0, I)] (summed over dimensions, batch
    mean) in the compressor phase; the learner phase trains on CE alone; inference reads
    z = u (no noise)."""
    clf = fitted(VATClassifier, toy, encoder="lstm", beta=0.2, max_epochs=4, n_iterations=1)
    Xi, yi = batch(clf, toy)
    m = clf.module_
    for phase, weight in (("compressor", 0.2), ("learner", 0.0)):
        clf.phase_ = phase
        loss, (logits, extras) = training_loss(clf, Xi, yi)
        R = extras["pooled"]
        u, sigma = m.mu(R), F.softplus(m.sigma(R)) + 1e-6
        kl = (0.5 * (u**2 + sigma**2 - 1 - 2 * torch.log(sigma))).sum(-1).mean()
        want = F.cross_entropy(logits, yi) + weight * kl
        assert loss.item() == pytest.approx(want.item(), rel=1e-5), phase
    m.eval()
    with torch.no_grad():
        got, extras = m(**Xi)
        np.testing.assert_allclose(got, m.head(m.mu(extras["pooled"])), rtol=1e-5, atol=1e-6)


def test_pct_eq_6_over_the_reductions(toy):
    """PCT eq. 7: CE + alpha * L_con, L_con (eq. 6) the multi-positive NT-Xent over the
    original texts and their reductions: a text's important-word reductions are its
    positives (I-set), its unimportant-word reductions form another set (U-set)."""
    from skinterp.methods._pct import saliency_reductions
    from skinterp.methods._reduction import drop_words, word_saliency

    clf = fitted(PCTClassifier, toy, alpha=0.9, tau=0.3, p_important=0.3, p_unimportant=0.3)
    Xi, yi = batch(clf, toy)
    loss, (logits, extras) = training_loss(clf, Xi, yi)
    # which words go is the paper's saliency rule (tested in test_pct.py); the loss is eq. 6
    saliency = word_saliency(clf, Xi, yi)
    n_words = (Xi["word_ids"].max(1).values + 1).clamp_min(0)
    keep, rows, important = saliency_reductions(saliency, n_words, 0.3, 0.3)
    clf.module_.eval()
    with torch.no_grad():
        _, reduced = clf.module_(**drop_words(Xi, keep, rows, clf.tokenizer_.pad_id))
    z = F.normalize(torch.cat([extras["pooled"].detach(), reduced["pooled"]]), dim=-1)
    groups = torch.cat([torch.arange(len(yi)) * 2, rows * 2 + important]).tolist()
    s = torch.exp(z @ z.T / 0.3)
    terms = []
    for p in range(len(z)):
        same = [j for j in range(len(z)) if groups[j] == groups[p] and j != p]
        other = [j for j in range(len(z)) if groups[j] != groups[p]]
        if same:
            terms.append(-torch.log(s[p, same].sum() / s[p, other].sum()))
    want = F.cross_entropy(logits, yi) + 0.9 * torch.stack(terms).mean()
    assert loss.item() == pytest.approx(want.item(), rel=1e-4)


def test_entropy_step_of_pct_eq_8(toy):
    """PCT eq. 8 (Feng et al.): the second step of every batch maximises the predictive
    entropy of the input-reduced texts: loss = -lam * mean_x H(p(y | x_reduced))."""
    from skinterp.methods._reduction import beam_input_reduction, drop_words

    clf = fitted(EntropyClassifier, toy, lam=0.25)
    Xi, _ = batch(clf, toy)
    clf.history.new_batch()
    torch.manual_seed(0)
    loss = clf._entropy_loss(Xi)
    # the reduction itself (shortest text that keeps the prediction) is tested in test_pct.py
    keep = beam_input_reduction(clf, Xi, clf.beam_size, clf.max_reduction_steps)
    clf.module_.train()
    torch.manual_seed(0)
    logits, _ = clf.module_(**drop_words(Xi, keep, pad_id=clf.tokenizer_.pad_id))
    p = torch.softmax(logits, -1)
    entropy = -(p * p.log()).sum(-1).mean()
    assert loss.item() == pytest.approx((-0.25 * entropy).item(), rel=1e-5)
    assert clf.history[-1, "batches", -1, "entropy"] == pytest.approx(entropy.item(), rel=1e-5)


def test_l2x_selection_in_training_and_inference(toy):
    """L2X (Chen et al. 2018, eq. 6-7): training keeps the element-wise maximum of k
    Gumbel-softmax samples over the positions (temperature tau); inference keeps exactly the
    top-k scoring real tokens. The loss is cross-entropy on the selected words."""
    clf = fitted(L2XClassifier, toy, select_k=2, tau=0.5)
    Xi, yi = batch(clf, toy)
    ids, am = Xi["input_ids"], Xi["attention_mask"]
    m, layer = clf.module_, clf.module_.mask_layer
    real = am.bool()

    def through(scale):
        out = m.encoder(ids, am, None, lambda e: e * scale.unsqueeze(-1))
        return m.head(m.dropout(out.pooled))

    with torch.no_grad():
        w = layer.net(m.encoder.word_embedding_matrix[ids]).squeeze(-1).masked_fill(~real, -1e4)
        m.train()
        torch.manual_seed(4)
        got, _ = m(ids, am)
        torch.manual_seed(4)
        u = torch.rand((2, *w.shape)).clamp(1e-10, 1.0 - 1e-7)
        relaxed = torch.softmax((w + -torch.log(-torch.log(u))) / 0.5, -1).max(0).values
        np.testing.assert_allclose(got, through(relaxed * real), rtol=1e-5, atol=1e-6)
        m.eval()
        got, _ = m(ids, am)
        top = torch.zeros_like(w).scatter(1, w.topk(2, -1).indices, 1.0) * real
        np.testing.assert_allclose(got, through(top), rtol=1e-5, atol=1e-6)
    loss, (logits, _) = training_loss(clf, Xi, yi)
    assert loss.item() == pytest.approx(F.cross_entropy(logits, yi).item(), rel=1e-6)
