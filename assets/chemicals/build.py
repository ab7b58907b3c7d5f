#!/usr/bin/env python3
"""Builds assets/chemicals/library.json from curated.csv + classes.toml and the numeric tables
of the `chemicals` package (Caleb Bell, MIT licence; pinned in requirements.txt).

Usage: python3 assets/chemicals/build.py [--check]
Creates (or reuses) a venv under target/chem-venv with the pinned requirements, re-executes itself
inside it, and writes library.json; --check writes nothing and fails if library.json differs.
If pip cannot install the requirements the script fails loudly (exit 1); it never skips.
"""
import csv
import hashlib
import json
import math
import os
import subprocess
import sys
import tomllib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
VENV = os.path.join(ROOT, "target", "chem-venv")
REQS = os.path.join(HERE, "requirements.txt")
OUT = os.path.join(HERE, "library.json")
T_REF_K = 298.15  # 25 °C, the reference temperature of the library's properties
AIR_MOLAR_MASS_G_MOL = 28.9647  # dry air, ISO 2533:1975 standard atmosphere

# Bump when the layout of library.json changes; the store reloads when version or content changes.
FORMAT_VERSION = 1


def ensure_venv():
    """Re-executes this script inside the pinned venv (creating or updating it first)."""
    py = os.path.join(VENV, "bin", "python")
    stamp = os.path.join(VENV, "requirements.sha256")
    want = hashlib.sha256(open(REQS, "rb").read()).hexdigest()
    if os.environ.get("YINGJI_CHEM_VENV") == "1":
        return
    have = open(stamp).read().strip() if os.path.exists(stamp) else ""
    if not os.path.exists(py) or have != want:
        subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
        r = subprocess.run([py, "-m", "pip", "install", "--disable-pip-version-check", "-q", "-r", REQS])
        if r.returncode != 0:
            sys.exit("build.py: pip could not install assets/chemicals/requirements.txt (is PyPI reachable?)")
        with open(stamp, "w") as f:
            f.write(want + "\n")
    env = dict(os.environ, YINGJI_CHEM_VENV="1")
    os.execve(py, [py, os.path.abspath(__file__), *sys.argv[1:]], env)


def num(v):
    """Fixed formatting: 6 significant digits, so reruns are byte-identical."""
    return float(f"{float(v):.6g}")


def molar_mass(chemicals, cas):
    try:
        return {"value": num(chemicals.MW(cas)), "source": "chemicals 1.5.2 identifiers.MW (formula from the package's PubChem-derived database)"}
    except ValueError:
        return None


def boiling_point(chemicals, cas):
    methods = chemicals.Tb_methods(cas)
    if not methods:
        return None
    return {"value": num(chemicals.Tb(cas, method=methods[0])), "source": f"chemicals 1.5.2 Tb, method {methods[0]}"}


def vapor_pressure(chemicals, cas):
    vp = chemicals.vapor_pressure
    t = T_REF_K
    d = vp.Psat_data_WagnerMcGarry
    if cas in d.index:
        r = d.loc[cas]
        if r.Tmin <= t <= r.Tc:
            return {"value": num(vp.Wagner_original(t, r.Tc, r.Pc, r.A, r.B, r.C, r.D)),
                    "source": "chemicals 1.5.2 Psat_data_WagnerMcGarry, Wagner_original at 298.15 K"}
    d = vp.Psat_data_AntoinePoling
    if cas in d.index:
        r = d.loc[cas]
        if r.Tmin <= t <= r.Tmax:
            return {"value": num(vp.Antoine(t, r.A, r.B, r.C)),
                    "source": "chemicals 1.5.2 Psat_data_AntoinePoling (Poling 5th ed.), Antoine at 298.15 K"}
    d = vp.Psat_data_VDI_PPDS_3
    if cas in d.index:
        r = d.loc[cas]
        if r.Tm <= t <= r.Tc:
            return {"value": num(vp.Wagner(t, r.Tc, r.Pc, r.A, r.B, r.C, r.D)),
                    "source": "chemicals 1.5.2 Psat_data_VDI_PPDS_3 (VDI Heat Atlas), Wagner at 298.15 K"}
    d = vp.Psat_data_Landolt_Antoine
    if cas in d.index:
        r = d.loc[cas]
        if r.Tmin <= t <= r.Tmax:
            return {"value": num(vp.Antoine(t, r.A, r.B, r.C, base=math.e)),
                    "source": "chemicals 1.5.2 Psat_data_Landolt_Antoine (Landolt-Börnstein), Antoine at 298.15 K"}
    d = vp.Psat_data_Perrys2_8
    if cas in d.index:
        r = d.loc[cas]
        if r.Tmin <= t <= r.Tmax:
            return {"value": num(chemicals.dippr.EQ101(t, r.C1, r.C2, r.C3, r.C4, r.C5)),
                    "source": "chemicals 1.5.2 Psat_data_Perrys2_8 (Perry's 8th ed. table 2-8), DIPPR EQ101 at 298.15 K"}
    return None


def liquid_density(chemicals, cas, mw):
    vol = chemicals.volume
    t = T_REF_K
    d = vol.rho_data_Perry_8E_105_l
    if cas in d.index and mw:
        r = d.loc[cas]
        if r.Tmin <= t <= r.Tmax:
            rho_mol_m3 = chemicals.dippr.EQ105(t, r.C1, r.C2, r.C3, r.C4)
            return {"value": num(rho_mol_m3 * mw / 1000.0),
                    "source": "chemicals 1.5.2 rho_data_Perry_8E_105_l (Perry's 8th ed. table 2-32), DIPPR EQ105 at 298.15 K"}
    try:
        tc, vc, omega = chemicals.Tc(cas), chemicals.Vc(cas), chemicals.omega(cas)
    except ValueError:
        return None
    if mw and tc and vc and omega is not None and t < tc:
        vm = vol.COSTALD(t, tc, vc, omega)
        return {"value": num(mw / 1000.0 / vm),
                "source": "chemicals 1.5.2 COSTALD (Hankinson-Thomson 1979) with the package's Tc, Vc, omega at 298.15 K"}
    return None


def occupational(chemicals, cas):
    out = []
    for name, fn in (("TWA", chemicals.safety.TWA), ("STEL", chemicals.safety.STEL), ("Ceiling", chemicals.safety.Ceiling)):
        try:
            v = fn(cas)
        except (ValueError, KeyError):
            v = None
        if v:
            out.append({"name": f"{name} (Ontario)", "value": num(v[0]), "unit": v[1],
                        "source": f"chemicals 1.5.2 safety.{name}, Ontario occupational exposure limits"})
    return out


def parse_levels(text, kind, source):
    if not text:
        return []
    vals = text.split("/")
    assert len(vals) == 3, text
    names = {"AEGL": "AEGL-{} (60 min)", "ERPG": "ERPG-{}"}[kind]
    out = []
    for tier, v in enumerate(vals, start=1):
        if v != "-":
            out.append({"name": names.format(tier), "tier": tier, "ppm": num(v), "source": source, "verified": False})
    return out


AEGL_SOURCE = "US EPA AEGL 60-min values, entered by hand from memory for Yingji — not checked against the EPA tables"
ERPG_SOURCE = "AIHA ERPG values, entered by hand from memory for Yingji — not checked against the AIHA handbook"
GB_SOURCE = "GB 3838-2002 地表水环境质量标准, entered by hand from memory — not checked against the standard's text"
TEXT_SOURCE = "Yingji 手工编写 / hand-written for Yingji (short hazard summary, not from an SDS)"


def is_solid_at_ref(chemicals, cas):
    try:
        tm = chemicals.Tm(cas)
    except ValueError:
        return False
    return tm is not None and tm > T_REF_K


def properties(chemicals, row):
    """Numeric properties of the row's CAS, of a named proxy (mixtures), or molar mass only (solutions)."""
    props = row["props"].strip()
    cas = row["cas"].strip()
    note = None
    if props.startswith("proxy:"):
        cas = props[len("proxy:"):]
        note = f"proxy: pure {cas} stands in for the mixture"
    mw = molar_mass(chemicals, cas)
    assert mw is not None, f"{row['cas']}: the chemicals package does not know {cas}; give a proxy"
    out = {"molar_mass_g_mol": mw, "boiling_point_k": None, "vapor_pressure_pa": None, "density_kg_m3": None}
    if props != "mw_only":
        out["boiling_point_k"] = boiling_point(chemicals, cas)
        if not is_solid_at_ref(chemicals, cas):
            out["vapor_pressure_pa"] = vapor_pressure(chemicals, cas)
            out["density_kg_m3"] = liquid_density(chemicals, cas, mw["value"])
    if note:
        for v in out.values():
            if v:
                v["source"] += f" ({note})"
    return out


def build():
    import chemicals

    classes_doc = tomllib.load(open(os.path.join(HERE, "classes.toml"), "rb"))
    classes = classes_doc["classes"]
    rows = list(csv.DictReader(open(os.path.join(HERE, "curated.csv"), encoding="utf-8")))
    seen = set()
    entries = []
    for row in rows:
        cas = row["cas"].strip()
        assert cas not in seen, f"duplicate CAS {cas}"
        seen.add(cas)
        cls = classes[row["class"]]
        props = properties(chemicals, row)
        entry = {
            "cas": cas,
            "un_number": row["un"].strip(),
            "name_zh": row["name_zh"].strip(),
            "name_en": row["name_en"].strip(),
            "names_source": "Yingji curated.csv (hand-entered)",
            "hazard_class": row["class"],
            **props,
            "occupational_limits": occupational(chemicals, cas),
            "levels": parse_levels(row["aegl_60min_ppm"], "AEGL", AEGL_SOURCE)
            + parse_levels(row["erpg_ppm"], "ERPG", ERPG_SOURCE),
            "gb3838": None,
            "hazards": {"zh": [s.strip() for s in row["hazards_zh"].split("；")],
                        "en": [s.strip() for s in row["hazards_en"].split(";")],
                        "source": TEXT_SOURCE, "verified": False},
            "disposal": {"zh": cls["disposal_zh"], "en": cls["disposal_en"],
                         "class_zh": cls["label_zh"], "class_en": cls["label_en"],
                         "source": classes_doc["source"], "verified": classes_doc["verified"]},
        }
        if row["gb3838_mg_l"]:
            entry["gb3838"] = {"limit_mg_l": num(row["gb3838_mg_l"]), "item": row["gb3838_item"].strip(),
                               "source": GB_SOURCE, "verified": False}
        entries.append(entry)
    entries.sort(key=lambda e: e["cas"])
    inputs = hashlib.sha256()
    for name in ("curated.csv", "classes.toml", "requirements.txt", "build.py"):
        inputs.update(open(os.path.join(HERE, name), "rb").read())
    doc = {
        "format_version": FORMAT_VERSION,
        "package": "chemicals==1.5.2",
        "reference_temperature_k": T_REF_K,
        "air_molar_mass_g_mol": AIR_MOLAR_MASS_G_MOL,
        "inputs_sha256": inputs.hexdigest(),
        "chemicals": entries,
    }
    return json.dumps(doc, ensure_ascii=False, sort_keys=True, indent=1) + "\n"


def main():
    ensure_venv()
    text = build()
    if "--check" in sys.argv:
        old = open(OUT, encoding="utf-8").read() if os.path.exists(OUT) else ""
        if old != text:
            sys.exit("build.py --check: assets/chemicals/library.json is not what build.py makes; rerun it and commit")
        print(f"library.json is up to date ({text.count(chr(10))} lines)")
        return
    with open(OUT, "w", encoding="utf-8") as f:
        f.write(text)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
