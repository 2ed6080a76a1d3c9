#!/usr/bin/env python3
"""Writes the Keras PhasedLSTM test fixtures of plstm-keras (run from the repository root; needs numpy and h5py,
Debian: apt-get install python3-numpy python3-h5py):

  plstm-keras/src/test/resources/keras/<name>.h5    weights in the exact HDF5 layout Keras 2 writes
  plstm-keras/src/test/resources/keras/<name>.json  inputs and the outputs of an independent float64 NumPy forward

The layer is fferroni/PhasedLSTM-Keras's PhasedLSTM (Keras 2 API): weights kernel [I][4H], recurrent_kernel [H][4H],
bias [4H] (gate blocks i, f, c, o), timegate_kernel [3][H] (rows period, shift, r_on); per step t = 1, 2, ..., T
(the layer counts steps); phi = ((t - shift) mod period) / period; k = 2 phi / r_on while phi <= r_on / 2,
2 - 2 phi / r_on while phi <= r_on, alpha * phi after (alpha is kept in predict: the layer has no inference mode);
c = k c_hat + (1 - k) c_prev, h = k h_hat + (1 - k) h_prev, gates recurrent_activation (hard_sigmoid by default:
clip(0.2 x + 0.5, 0, 1)), tanh for the candidate and the output. Then Dense(C) + softmax on the last h.

Two files: 'weights' as model.save_weights() writes it (layer groups at the root, no configuration: the importer
uses the layer's defaults), and 'model' as model.save() writes it (a 'model_config' attribute and a 'model_weights'
group), two stacked layers with a sigmoid recurrent activation and alpha = 0.002 read from that configuration.
"""
import json
import os

import h5py
import numpy as np

OUT = os.path.join("plstm-keras", "src", "test", "resources", "keras")


def hard_sigmoid(x):
    return np.clip(0.2 * x + 0.5, 0.0, 1.0)


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def plstm_forward(x, w, recurrent_activation, alpha):
    """x [B][T][I] float64 -> h sequence [B][T][H]; w = dict of float32 arrays, computed in float64."""
    kernel, rec, bias, tg = (w[n].astype(np.float64) for n in ("kernel", "recurrent_kernel", "bias",
                                                                "timegate_kernel"))
    act = hard_sigmoid if recurrent_activation == "hard_sigmoid" else sigmoid
    b, steps, _ = x.shape
    h_units = rec.shape[0]
    period, shift, r_on = tg[0], tg[1], tg[2]
    h = np.zeros((b, h_units))
    c = np.zeros((b, h_units))
    hs = np.zeros((b, steps, h_units))
    for t in range(steps):
        time = t + 1.0
        phi = np.mod(time - shift, period) / period
        k = np.where(phi <= 0.5 * r_on, 2.0 * phi / r_on,
                     np.where(phi <= r_on, 2.0 - 2.0 * phi / r_on, alpha * phi))
        z = x[:, t, :] @ kernel + h @ rec + bias
        i = act(z[:, :h_units])
        f = act(z[:, h_units:2 * h_units])
        g = np.tanh(z[:, 2 * h_units:3 * h_units])
        o = act(z[:, 3 * h_units:])
        c_hat = f * c + i * g
        h_hat = o * np.tanh(c_hat)
        c = k * c_hat + (1.0 - k) * c
        h = k * h_hat + (1.0 - k) * h
        hs[:, t, :] = h
    return hs


def random_layer(rng, inputs, units):
    period = np.exp(rng.uniform(np.log(2.0), np.log(30.0), units))
    return {
        "kernel": rng.normal(0.0, 0.5, (inputs, 4 * units)).astype(np.float32),
        "recurrent_kernel": rng.normal(0.0, 0.3, (units, 4 * units)).astype(np.float32),
        "bias": np.concatenate([np.zeros(units), np.ones(units), np.zeros(2 * units)]).astype(np.float32)
                + rng.normal(0.0, 0.1, 4 * units).astype(np.float32),
        "timegate_kernel": np.stack([period, rng.uniform(0.0, 1.0, units) * period,
                                     rng.uniform(0.05, 0.6, units)]).astype(np.float32),
    }


def write_layers(group, layers):
    """Keras 2's save_weights_to_hdf5_group: layer_names, and per layer a group with weight_names and datasets."""
    group.attrs["layer_names"] = [name.encode("utf8") for name, _ in layers]
    group.attrs["backend"] = b"tensorflow"
    group.attrs["keras_version"] = b"2.2.4"
    for name, weights in layers:
        g = group.create_group(name)
        names = [(name + "/" + w + ":0").encode("utf8") for w in weights]
        g.attrs["weight_names"] = names
        for w, value in weights.items():
            g.create_dataset(name + "/" + w + ":0", data=value)


def fixture(name, seed, sizes, classes, recurrent_activation, alpha, full_model):
    rng = np.random.default_rng(seed)
    batch, steps = 4, 25
    plstm = [random_layer(rng, sizes[k], sizes[k + 1]) for k in range(len(sizes) - 1)]
    dense = {"kernel": rng.normal(0.0, 0.7, (sizes[-1], classes)).astype(np.float32),
             "bias": rng.normal(0.0, 0.1, classes).astype(np.float32)}
    x = rng.normal(0.0, 1.0, (batch, steps, sizes[0])).astype(np.float32)
    seq = x.astype(np.float64)
    for w in plstm:
        seq = plstm_forward(seq, w, recurrent_activation, alpha)
    last = seq[:, -1, :]
    logits = last @ dense["kernel"].astype(np.float64) + dense["bias"].astype(np.float64)
    probs = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs /= probs.sum(axis=1, keepdims=True)
    layers = [("input_1", {})] if full_model else []
    layers += [("phased_lstm_%d" % (k + 1), w) for k, w in enumerate(plstm)] + [("dense_1", dense)]
    with h5py.File(os.path.join(OUT, name + ".h5"), "w") as f:
        if full_model:
            config = {"class_name": "Model", "config": {"name": "model_1", "layers": [
                {"class_name": "InputLayer", "name": "input_1", "config": {"name": "input_1",
                                                                            "batch_input_shape": [None, None, sizes[0]]}}]
                + [{"class_name": "PhasedLSTM", "name": "phased_lstm_%d" % (k + 1),
                    "config": {"name": "phased_lstm_%d" % (k + 1), "units": sizes[k + 1], "activation": "tanh",
                               "recurrent_activation": recurrent_activation, "alpha": alpha,
                               "return_sequences": k + 2 < len(sizes)}} for k in range(len(plstm))]
                + [{"class_name": "Dense", "name": "dense_1", "config": {"name": "dense_1", "units": classes,
                                                                          "activation": "softmax"}}]}}
            f.attrs["model_config"] = json.dumps(config).encode("utf8")
            write_layers(f.create_group("model_weights"), layers)
        else:
            write_layers(f, layers)
    with open(os.path.join(OUT, name + ".json"), "w") as out:
        json.dump({"generator": "scripts/keras_fixtures.py (float64 NumPy forward)",
                   "recurrent_activation": recurrent_activation, "alpha": alpha,
                   "batch": batch, "steps": steps, "input_size": sizes[0],
                   "x": x.astype(np.float64).ravel().tolist(), "last_hidden": last.ravel().tolist(),
                   "probabilities": probs.ravel().tolist()}, out, indent=1)
        out.write("\n")


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    fixture("weights", 1, [3, 8], 4, "hard_sigmoid", 0.001, full_model=False)
    fixture("model", 2, [3, 6, 5], 3, "sigmoid", 0.002, full_model=True)
    print("wrote", sorted(os.listdir(OUT)))
