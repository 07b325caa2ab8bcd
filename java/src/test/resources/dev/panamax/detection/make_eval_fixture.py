"""Writes eval_fixture.json: a seeded random detection case and what real pycocotools makes of it.

Run with a Python that has numpy and pycocotools (pip install pycocotools):
    python make_eval_fixture.py
The Java tests (CocoEvaluatorTest, VocEvaluatorTest) read the JSON only; they never run Python.

The case covers what COCOeval treats specially: crowd objects, an area ('area' field, not the
box's) spread over small/medium/large, objects of a class without detections, detections of a
class without objects, images without objects, images without detections, one image with more
than 100 detections of a class (maxDets), and equal scores (tie order). Coordinates are integers
and scores float32 values, so Java reads exactly the numbers pycocotools saw.

'voc' holds VOC2010+ AP@0.5 per class from a transcription of the devkit's voc_eval.py
(detectron2's copy) with difficult flags, using continuous coordinates (no +1).
"""
import contextlib
import io
import json
import os

import numpy as np
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

SEED = 20240917
CLASSES = 5  # class 5 gets detections but no objects
rng = np.random.default_rng(SEED)


def random_box(max_side):
    w = int(rng.integers(2, max_side))
    h = int(rng.integers(2, max_side))
    x = int(rng.integers(0, 640 - w))
    y = int(rng.integers(0, 480 - h))
    return [x, y, x + w, y + h]


def score(scale=1.0):
    s = rng.random() * scale
    if rng.random() < 0.3:
        s = round(s, 1)  # equal scores, so tie order matters
    return float(np.float32(s))


images = []
image_ids = rng.choice(np.arange(1, 1000), size=14, replace=False).tolist()
for n, image_id in enumerate(image_ids):
    truth, dets = [], []
    if n % 7 != 3:  # a few images without objects
        for _ in range(int(rng.integers(1, 7))):
            box = random_box(int(rng.choice([30, 90, 250])))
            label = int(rng.integers(1, CLASSES - 1))  # classes 1..3; 4 only as crowd below
            area = (box[2] - box[0]) * (box[3] - box[1]) * float(rng.uniform(0.4, 1.0))
            crowd = int(rng.random() < 0.15)
            difficult = int(rng.random() < 0.15)
            truth.append(box + [label, round(area, 3), crowd, difficult])
        if n == 5:
            truth.append([10, 10, 300, 300, 4, 50000.0, 1, 0])  # class 4: only a crowd
    if n % 5 != 2:  # a few images without detections
        for g in truth:
            if rng.random() < 0.8:
                k = max(1, min(g[2] - g[0], g[3] - g[1]) // 6)
                j = rng.integers(-k, k + 1, size=4)
                x1, y1 = g[0] + int(j[0]), g[1] + int(j[1])
                dets.append([x1, y1, max(x1 + 1, g[2] + int(j[2])), max(y1 + 1, g[3] + int(j[3])), g[4] if rng.random() < 0.9 else 1, score()])
        for _ in range(int(rng.integers(0, 5))):
            dets.append(random_box(200) + [int(rng.integers(1, CLASSES + 1)), score()])
    if n == 8:
        for _ in range(120):  # more than maxDets=100 of one class
            dets.append(random_box(120) + [2, score(0.4)])
    images.append({"id": image_id, "truth": truth, "detections": dets})


def coco_stats():
    gt = {"images": [{"id": im["id"]} for im in images], "categories": [{"id": c} for c in range(1, CLASSES + 1)], "annotations": []}
    res = []
    for im in images:
        for x1, y1, x2, y2, label, area, crowd, _ in im["truth"]:
            gt["annotations"].append({"id": len(gt["annotations"]) + 1, "image_id": im["id"], "category_id": label,
                                      "bbox": [x1, y1, x2 - x1, y2 - y1], "area": area, "iscrowd": crowd})
        for x1, y1, x2, y2, label, s in im["detections"]:
            res.append({"image_id": im["id"], "category_id": label, "bbox": [x1, y1, x2 - x1, y2 - y1], "score": s})
    with contextlib.redirect_stdout(io.StringIO()):
        coco = COCO()
        coco.dataset = gt
        coco.createIndex()
        e = COCOeval(coco, coco.loadRes(res), "bbox")
        e.evaluate()
        e.accumulate()
        e.summarize()
    return [float(s) for s in e.stats]


def voc_ap(rec, prec):
    mrec = np.concatenate(([0.0], rec, [1.0]))
    mpre = np.concatenate(([0.0], prec, [0.0]))
    for i in range(mpre.size - 1, 0, -1):
        mpre[i - 1] = np.maximum(mpre[i - 1], mpre[i])
    i = np.where(mrec[1:] != mrec[:-1])[0]
    return float(np.sum((mrec[i + 1] - mrec[i]) * mpre[i + 1]))


def voc_eval(label, thresh=0.5):
    recs, npos = {}, 0
    for im in images:
        objs = [g for g in im["truth"] if g[4] == label]
        recs[im["id"]] = {"bbox": np.array([g[:4] for g in objs], dtype=float).reshape(-1, 4),
                          "difficult": np.array([bool(g[7]) for g in objs]), "det": [False] * len(objs)}
        npos += sum(not g[7] for g in objs)
    dets = [(im["id"], d) for im in sorted(images, key=lambda im: im["id"]) for d in im["detections"] if d[4] == label]
    order = np.argsort([-d[5] for _, d in dets], kind="mergesort")
    tp, fp = np.zeros(len(dets)), np.zeros(len(dets))
    for k, di in enumerate(order):
        image_id, d = dets[di]
        r, bb = recs[image_id], np.array(d[:4], dtype=float)
        ovmax, jmax = -np.inf, -1
        gts = r["bbox"]
        if gts.size > 0:
            iw = np.maximum(np.minimum(gts[:, 2], bb[2]) - np.maximum(gts[:, 0], bb[0]), 0.0)
            ih = np.maximum(np.minimum(gts[:, 3], bb[3]) - np.maximum(gts[:, 1], bb[1]), 0.0)
            inter = iw * ih
            uni = (bb[2] - bb[0]) * (bb[3] - bb[1]) + (gts[:, 2] - gts[:, 0]) * (gts[:, 3] - gts[:, 1]) - inter
            ov = inter / uni
            ovmax, jmax = np.max(ov), np.argmax(ov)
        if ovmax > thresh:
            if not r["difficult"][jmax]:
                if not r["det"][jmax]:
                    tp[k], r["det"][jmax] = 1.0, True
                else:
                    fp[k] = 1.0
        else:
            fp[k] = 1.0
    if npos == 0:
        return None
    fp, tp = np.cumsum(fp), np.cumsum(tp)
    return voc_ap(tp / float(npos), tp / np.maximum(tp + fp, np.finfo(np.float64).eps))


voc = {str(c): ap for c in range(1, CLASSES + 1) if (ap := voc_eval(c)) is not None}
out = {"seed": SEED, "images": images, "coco_stats": coco_stats(), "voc_ap": voc}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "eval_fixture.json")
with open(path, "w") as f:
    json.dump(out, f, separators=(",", ":"))
    f.write("\n")
print(path, out["coco_stats"], voc)
