#!/usr/bin/env python3
"""Writes the labelled evaluation corpus under events/corpus/ (run from the repo root).

    python3 scripts/make-corpus.py [OUT_DIR]

Generated documents go to OUT_DIR/generated/, and OUT_DIR/labels.json labels every document of
the corpus: the generated ones and the real ones already copied under OUT_DIR/real/ (vendor
invoices with invoice2data's expected JSON, blank IRS forms). The real documents are not
regenerated; their invoice labels point at the expected JSON, which stays the source of truth.

Everything is fictional: people in the style of the ICAO 9303 specimens (Utopia, UTO), banks and
companies that do not exist, IBANs and VAT numbers made only to pass their checksums. The output
is deterministic (fixed seed, no clock), so a rerun changes nothing unless this script changes.
Python 3 standard library only; PDFs are written by hand with scripts/make-sample-pdfs.py.
"""
import csv
import importlib.util
import io
import json
import os
import random
import sys

# Importing the PDF writer must not leave a __pycache__ folder in the repository.
sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location("make_sample_pdfs", os.path.join(HERE, "make-sample-pdfs.py"))
_pdfs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_pdfs)

RNG = random.Random(20261126)


# ---------------------------------------------------------------------------------------------
# Identifiers with real check digits
# ---------------------------------------------------------------------------------------------

def mrz_value(c):
    if c.isdigit():
        return int(c)
    if c == "<":
        return 0
    return ord(c) - ord("A") + 10


def check_digit(s):
    """ICAO 9303 part 3: weights 7, 3, 1 repeated, modulo 10."""
    weights = (7, 3, 1)
    return str(sum(mrz_value(c) * weights[i % 3] for i, c in enumerate(s)) % 10)


def pad(s, n):
    s = s.upper().replace(" ", "<").replace("-", "<").replace("'", "")
    return (s + "<" * n)[:n]


def mrz_name(surname, given, n):
    return pad(surname.replace(" ", "<") + "<<" + given.replace(" ", "<"), n)


def wrong(d):
    return str((int(d) + 3) % 10)


def td3(code, state, surname, given, number, nat, dob, sex, expiry, personal="", bad=None):
    """Two lines of 44. bad names the check digit to corrupt: number, dob, expiry, composite."""
    l1 = pad(code, 2) + state.ljust(3, "<") + mrz_name(surname, given, 39)
    num = pad(number, 9)
    cd_num, cd_dob, cd_exp = check_digit(num), check_digit(dob), check_digit(expiry)
    pers = pad(personal, 14)
    cd_pers = check_digit(pers) if personal else "<"
    if bad == "number":
        cd_num = wrong(cd_num)
    if bad == "dob":
        cd_dob = wrong(cd_dob)
    if bad == "expiry":
        cd_exp = wrong(cd_exp)
    l2 = num + cd_num + nat.ljust(3, "<") + dob + cd_dob + sex + expiry + cd_exp + pers + cd_pers
    composite = check_digit(l2[0:10] + l2[13:20] + l2[21:43])
    if bad == "composite":
        composite = wrong(composite)
    return [l1, l2 + composite]


def td1(code, state, surname, given, number, nat, dob, sex, expiry, optional="", bad=None):
    """Three lines of 30."""
    num = pad(number, 9)
    cd_num, cd_dob, cd_exp = check_digit(num), check_digit(dob), check_digit(expiry)
    if bad == "number":
        cd_num = wrong(cd_num)
    if bad == "dob":
        cd_dob = wrong(cd_dob)
    if bad == "expiry":
        cd_exp = wrong(cd_exp)
    l1 = pad(code, 2) + state.ljust(3, "<") + num + cd_num + pad(optional, 15)
    l2 = dob + cd_dob + sex + expiry + cd_exp + nat.ljust(3, "<") + "<" * 11
    composite = check_digit(l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29])
    if bad == "composite":
        composite = wrong(composite)
    return [l1, l2 + composite, mrz_name(surname, given, 30)]


def td2(code, state, surname, given, number, nat, dob, sex, expiry, optional="", bad=None):
    """Two lines of 36."""
    l1 = pad(code, 2) + state.ljust(3, "<") + mrz_name(surname, given, 31)
    num = pad(number, 9)
    cd_num, cd_dob, cd_exp = check_digit(num), check_digit(dob), check_digit(expiry)
    if bad == "number":
        cd_num = wrong(cd_num)
    if bad == "dob":
        cd_dob = wrong(cd_dob)
    l2 = num + cd_num + nat.ljust(3, "<") + dob + cd_dob + sex + expiry + cd_exp + pad(optional, 7)
    composite = check_digit(l2[0:10] + l2[13:20] + l2[21:35])
    if bad == "composite":
        composite = wrong(composite)
    return [l1, l2 + composite]


def iban(country, bban):
    """ISO 13616: check digits so that the rearranged number is 1 modulo 97."""
    digits = "".join(str(int(c, 36)) for c in (bban + country + "00"))
    return country + "%02d" % (98 - int(digits) % 97) + bban


def iban_spaced(value):
    return " ".join(value[i:i + 4] for i in range(0, len(value), 4))


def es_bban(bank, branch, account):
    """Spanish CCC with its two national check digits."""
    weights = (1, 2, 4, 8, 5, 10, 9, 7, 3, 6)

    def dc(ten):
        d = 11 - sum(int(c) * w for c, w in zip(ten, weights)) % 11
        return {10: 1, 11: 0}.get(d, d)

    return bank + branch + "%d%d" % (dc("00" + bank + branch), dc(account)) + account


def luhn_complete(partial):
    """Appends the Luhn digit (only used where a card number is meant to be there)."""
    total = 0
    for i, c in enumerate(reversed(partial)):
        d = int(c)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return partial + str((10 - total % 10) % 10)


def vat_de(eight):
    """German USt-IdNr: ISO 7064 MOD 11,10 over nine digits."""
    product = 10
    for c in eight:
        s = (int(c) + product) % 10 or 10
        product = (2 * s) % 11
    return "DE" + eight + str((11 - product) % 10)


def vat_fr(siren):
    return "FR%02d%s" % ((12 + 3 * (int(siren) % 97)) % 97, siren)


def vat_nl(eight):
    """Dutch BTW id: the RSIN 11-test, then B01."""
    total = sum(int(c) * w for c, w in zip(eight, range(9, 1, -1)))
    for last in range(10):
        if (total - last) % 11 == 0:
            return "NL" + eight + str(last) + "B01"
    raise ValueError("no 11-test digit for " + eight)


def vat_gb(seven):
    """UK VAT: weights 8..2, then the two digits that bring the sum to a multiple of 97."""
    total = sum(int(c) * w for c, w in zip(seven, range(8, 1, -1)))
    check = (-total) % 97
    return "GB" + seven + "%02d" % check


def cif_es(letter, seven):
    odd = sum(sum(divmod(int(c) * 2, 10)) for c in seven[0::2])
    even = sum(int(c) for c in seven[1::2])
    return "ES" + letter + seven + str((10 - (odd + even) % 10) % 10)


# ---------------------------------------------------------------------------------------------
# Formatting
# ---------------------------------------------------------------------------------------------

MONTHS = {
    "en": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
    "en_long": ["January", "February", "March", "April", "May", "June", "July", "August",
                "September", "October", "November", "December"],
    "fr": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
           "octobre", "novembre", "décembre"],
    "de": ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
           "Oktober", "November", "Dezember"],
    "es": ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
           "octubre", "noviembre", "diciembre"],
    "nl": ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
           "september", "oktober", "november", "december"],
}


def ymd(iso):
    y, m, d = iso.split("-")
    return int(y), int(m), int(d)


def date_text(iso, style):
    y, m, d = ymd(iso)
    if style == "dmy.":
        return "%02d.%02d.%d" % (d, m, y)
    if style == "dmy/":
        return "%02d/%02d/%d" % (d, m, y)
    if style == "mdy/":
        return "%02d/%02d/%d" % (m, d, y)
    if style == "dmy-":
        return "%02d-%02d-%d" % (d, m, y)
    if style == "iso":
        return iso
    if style == "en":
        return "%02d %s %d" % (d, MONTHS["en"][m - 1], y)
    if style == "en_long":
        return "%s %d, %d" % (MONTHS["en_long"][m - 1], d, y)
    if style == "icao":  # 12 AUG/AOUT 1974 style
        return "%02d %s %d" % (d, MONTHS["en"][m - 1].upper(), y)
    return "%d %s %d" % (d, MONTHS[style][m - 1], y)


def mrz_date(iso):
    y, m, d = ymd(iso)
    return "%02d%02d%02d" % (y % 100, m, d)


def amount_text(x, style):
    whole, frac = ("%.2f" % x).split(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    sep, dec = {
        "en": (",", "."),
        "de": (".", ","),
        "fr": (" ", ","),
        "fr_nbsp": ("\u00a0", ","),
        "ch": ("'", "."),
        "plain": ("", "."),
        "plain_comma": ("", ","),
    }[style]
    return sep.join(groups) + dec + frac


# ---------------------------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------------------------

class Corpus:
    def __init__(self, root):
        self.root = root
        self.labels = {}

    def add(self, name, content, doc_type, fields=None, note=None):
        path = "generated/" + name
        full = os.path.join(self.root, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        data = content if isinstance(content, bytes) else content.encode("utf-8")
        with open(full, "wb") as f:
            f.write(data)
        label = {"doc_type": doc_type, "fields": fields or {}}
        if note:
            label["note"] = note
        self.labels[path] = label


def text_pdf(pages, mono_prefixes=("P<", "I<", "ID", "AC", "C<", "V<")):
    """Pages of text lines to a PDF; MRZ-looking lines are set in Courier."""
    out = []
    for lines in pages:
        ops = []
        y = 800
        for line in lines:
            mono = len(line) >= 30 and "<" in line and line.startswith(mono_prefixes)
            mono = mono or (len(line) in (30, 36, 44) and line.count("<") >= 2 and " " not in line)
            size = 10
            ops.append(("cour" if mono else "helv", size, 50, y, line))
            y -= 14
        out.append(ops)
    return _pdfs.pdf(out)


def lines(text):
    return text.strip("\n").split("\n")


def csv_text(rows, delimiter=","):
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
    for r in rows:
        w.writerow(r)
    return buf.getvalue()


def mrz_label(fmt, code, state, ok):
    return {"format": fmt, "document_code": code, "issuing_state": state, "check_digits_ok": ok}


def full_name(given, surname):
    return (given + " " + surname).title()


# ---------------------------------------------------------------------------------------------
# Identity documents
# ---------------------------------------------------------------------------------------------

PASSPORTS = [
    # state, nat, surname, given, number, dob, sex, issue, expiry, lang, fmt, bad, disagree
    dict(state="UTO", nat="UTO", surname="ERIKSSON", given="ANNA MARIA", number="L898902C3",
         dob="1974-08-12", sex="F", issue="2024-04-16", expiry="2034-04-15", lang="en",
         ext="txt", bad=None, disagree=None),
    dict(state="D", nat="D", surname="MUSTERMANN", given="ERIKA", number="C01X00T47",
         dob="1983-08-12", sex="F", issue="2017-11-02", expiry="2027-11-01", lang="de",
         ext="pdf", bad=None, disagree=None),
    dict(state="FRA", nat="FRA", surname="DUPONT", given="MARIE CLAIRE", number="19AB12345",
         dob="1990-03-21", sex="F", issue="2019-06-10", expiry="2029-06-09", lang="fr",
         ext="txt", bad=None, disagree=None),
    dict(state="NLD", nat="NLD", surname="DE VRIES", given="JAN PIETER", number="NW3KF7R21",
         dob="1968-12-02", sex="M", issue="2021-02-14", expiry="2031-02-13", lang="nl",
         ext="txt", bad="number", disagree=None),
    dict(state="ESP", nat="ESP", surname="GARCIA LOPEZ", given="LUCIA", number="PAA123456",
         dob="1986-05-30", sex="F", issue="2022-09-01", expiry="2032-08-31", lang="es",
         ext="pdf", bad=None, disagree="date_of_birth"),
    dict(state="UTO", nat="UTO", surname="HALVORSEN", given="PETER JOHN", number="X4R91L208",
         dob="1959-01-17", sex="M", issue="2016-03-03", expiry="2026-03-02", lang="en",
         ext="txt", bad="composite", disagree=None),
    dict(state="ITA", nat="ITA", surname="ROSSI", given="MARCO", number="YA7712345",
         dob="1979-10-04", sex="M", issue="2020-01-20", expiry="2030-01-19", lang="it",
         ext="pdf", bad=None, disagree=None),
    dict(state="UTO", nat="UTO", surname="OKONKWO", given="ADAEZE", number="K22840716",
         dob="2001-07-09", sex="F", issue="2023-05-05", expiry="2033-05-04", lang="en",
         ext="txt", bad=None, disagree="document_number"),
    dict(state="BEL", nat="BEL", surname="PEETERS", given="LUC ANDRE", number="EL1234567",
         dob="1971-02-28", sex="M", issue="2018-08-08", expiry="2025-08-07", lang="nl",
         ext="txt", bad="dob", disagree=None),
]

PASSPORT_HEADINGS = {
    "en": ("UTOPIA", "PASSPORT / PASSEPORT"),
    "de": ("BUNDESREPUBLIK DEUTSCHLAND / FEDERAL REPUBLIC OF GERMANY", "REISEPASS / PASSPORT / PASSEPORT"),
    "fr": ("RÉPUBLIQUE FRANÇAISE", "PASSEPORT / PASSPORT"),
    "nl": ("KONINKRIJK DER NEDERLANDEN", "PASPOORT / PASSPORT / PASSEPORT"),
    "es": ("REINO DE ESPAÑA", "PASAPORTE / PASSPORT / PASSEPORT"),
    "it": ("REPUBBLICA ITALIANA", "PASSAPORTO / PASSPORT / PASSEPORT"),
}

PASSPORT_LABELS = {
    "en": ("Passport No.", "Surname", "Given names", "Nationality", "Date of birth", "Sex",
           "Date of issue", "Date of expiry", "en"),
    "de": ("Pass-Nr. / Passport No.", "Name / Surname", "Vornamen / Given names",
           "Staatsangehörigkeit / Nationality", "Geburtsdatum / Date of birth",
           "Geschlecht / Sex", "Ausstellungsdatum / Date of issue",
           "Gültig bis / Date of expiry", "dmy."),
    "fr": ("N° du passeport", "Nom", "Prénoms", "Nationalité", "Date de naissance", "Sexe",
           "Date de délivrance", "Date d'expiration", "dmy/"),
    "nl": ("Documentnummer / Document No.", "Naam / Surname", "Voornamen / Given names",
           "Nationaliteit / Nationality", "Geboortedatum / Date of birth", "Geslacht / Sex",
           "Datum van afgifte / Date of issue", "Geldig tot / Date of expiry", "icao"),
    "es": ("N.º de pasaporte / Passport No.", "Apellidos / Surname", "Nombre / Given names",
           "Nacionalidad / Nationality", "Fecha de nacimiento / Date of birth", "Sexo / Sex",
           "Fecha de expedición / Date of issue", "Fecha de caducidad / Date of expiry", "dmy/"),
    "it": ("Passaporto N. / Passport No.", "Cognome / Surname", "Nome / Given names",
           "Cittadinanza / Nationality", "Data di nascita / Date of birth", "Sesso / Sex",
           "Data di rilascio / Date of issue", "Data di scadenza / Date of expiry", "dmy."),
}

NATIONALITY_WORD = {"UTO": "UTOPIAN", "D": "DEUTSCH", "FRA": "FRANÇAISE", "NLD": "NEDERLANDSE",
                    "ESP": "ESPAÑOLA", "ITA": "ITALIANA", "BEL": "BELG", "POL": "POLSKIE",
                    "PRT": "PORTUGUESA"}


def passports(corpus):
    for i, p in enumerate(PASSPORTS, start=1):
        mrz = td3("P", p["state"], p["surname"], p["given"], p["number"], p["nat"],
                  mrz_date(p["dob"]), p["sex"], mrz_date(p["expiry"]), bad=p["bad"])
        heading, title = PASSPORT_HEADINGS[p["lang"]]
        (l_no, l_sur, l_giv, l_nat, l_dob, l_sex, l_iss, l_exp, style) = PASSPORT_LABELS[p["lang"]]
        printed_dob = p["dob"]
        printed_number = p["number"]
        if p["disagree"] == "date_of_birth":
            y, m, d = ymd(p["dob"])
            printed_dob = "%d-%02d-%02d" % (y + 1, m, d)
        if p["disagree"] == "document_number":
            printed_number = p["number"][:-1] + str((int(p["number"][-1]) + 1) % 10)
        rows = [
            (l_no, printed_number),
            (l_sur, p["surname"]),
            (l_giv, p["given"]),
            (l_nat, NATIONALITY_WORD[p["nat"]]),
            (l_dob, date_text(printed_dob, style)),
            (l_sex, p["sex"]),
            (l_iss, date_text(p["issue"], style)),
            (l_exp, date_text(p["expiry"], style)),
        ]
        # Vary the order a little: some data pages print the number first, some after the name.
        if i % 3 == 1:
            rows = rows[1:3] + rows[:1] + rows[3:]
        body = [heading, title, "", "Type: P    Code: %s" % p["state"]]
        if i % 2 == 0:
            body += ["%s: %s" % r for r in rows]
        else:
            body += ["%s: %s" % r for r in rows[:4]]
            body += ["", "%s: %s" % rows[4], "%s: %s" % rows[5], "%s: %s" % rows[6], "%s: %s" % rows[7]]
        body += ["", mrz[0], mrz[1]]
        fields = {
            "names": [full_name(p["given"], p["surname"])],
            "nationality": p["nat"],
            "expiry_date": p["expiry"],
            "mrz": mrz_label("TD3", "P", p["state"], p["bad"] is None),
        }
        if p["disagree"] != "date_of_birth" and p["bad"] != "dob":
            fields["date_of_birth"] = p["dob"]
        if p["disagree"] != "document_number" and p["bad"] != "number":
            fields["document_number"] = p["number"]
        # The data page prints surname, birth date and number: each agrees with the MRZ unless
        # one is made to disagree.
        fields["mrz_agreement"] = {"surname": True, "date_of_birth": True, "document_number": True}
        if p["disagree"]:
            fields["mrz_agreement"][p["disagree"]] = False
        note = None
        if p["bad"]:
            note = "MRZ %s check digit deliberately wrong" % p["bad"]
        if p["disagree"]:
            note = "printed %s disagrees with the MRZ" % p["disagree"]
        name = "passport-%02d-%s.%s" % (i, p["surname"].lower().replace(" ", "-"), p["ext"])
        if p["ext"] == "pdf":
            pages = [body]
            if p["lang"] == "it":
                pages.append(["OSSERVAZIONI / OBSERVATIONS", "", "Nessuna / None", "",
                              "Firma del titolare / Holder's signature: ______________"])
            content = text_pdf(pages)
        else:
            content = "\n".join(body) + "\n"
        corpus.add(name, content, "passport", fields, note)


NATIONAL_IDS = [
    dict(fmt="TD1", code="ID", state="UTO", nat="UTO", surname="ERIKSSON", given="ANNA MARIA",
         number="D23145890", dob="1974-08-12", sex="F", expiry="2032-04-15", lang="en", ext="txt",
         bad=None, disagree=None),
    dict(fmt="TD1", code="ID", state="D", nat="D", surname="MUSTERMANN", given="ERIKA",
         number="T22000129", dob="1964-08-12", sex="F", expiry="2030-10-31", lang="de", ext="pdf",
         bad=None, disagree=None),
    dict(fmt="TD1", code="ID", state="FRA", nat="FRA", surname="MARTIN", given="LOUISE CAMILLE",
         number="X4RTBPFW4", dob="1995-11-03", sex="F", expiry="2031-03-14", lang="fr", ext="txt",
         bad=None, disagree=None),
    dict(fmt="TD1", code="I", state="NLD", nat="NLD", surname="JANSEN", given="SOPHIE",
         number="IR5K82JP1", dob="1988-04-19", sex="F", expiry="2029-07-22", lang="nl", ext="txt",
         bad="dob", disagree=None),
    dict(fmt="TD1", code="ID", state="ESP", nat="ESP", surname="NAVARRO RUIZ", given="PABLO",
         number="CAA000123", dob="1977-09-25", sex="M", expiry="2028-09-25", lang="es", ext="txt",
         bad=None, disagree="surname"),
    dict(fmt="TD1", code="ID", state="BEL", nat="BEL", surname="WILLEMS", given="ELS",
         number="592123456", dob="1993-01-07", sex="F", expiry="2033-01-06", lang="be", ext="pdf",
         bad=None, disagree=None),
    dict(fmt="TD2", code="I", state="UTO", nat="UTO", surname="ERIKSSON", given="ANNA MARIA",
         number="D23145890", dob="1974-08-12", sex="F", expiry="2027-04-15", lang="en", ext="txt",
         bad=None, disagree=None),
    dict(fmt="TD2", code="I", state="POL", nat="POL", surname="NOWAK", given="ZOFIA",
         number="ABA300000", dob="1991-06-15", sex="F", expiry="2030-06-14", lang="pl", ext="txt",
         bad="composite", disagree=None),
    dict(fmt="TD1", code="ID", state="PRT", nat="PRT", surname="SILVA SANTOS", given="JOAO",
         number="123456784", dob="1982-02-11", sex="M", expiry="2031-12-01", lang="pt", ext="txt",
         bad=None, disagree="date_of_birth"),
]

ID_TITLES = {
    "en": ("UTOPIA", "IDENTITY CARD / CARTE D'IDENTITÉ"),
    "de": ("BUNDESREPUBLIK DEUTSCHLAND", "PERSONALAUSWEIS / IDENTITY CARD / CARTE D'IDENTITÉ"),
    "fr": ("RÉPUBLIQUE FRANÇAISE", "CARTE NATIONALE D'IDENTITÉ / IDENTITY CARD"),
    "nl": ("KONINKRIJK DER NEDERLANDEN", "IDENTITEITSKAART / IDENTITY CARD"),
    "es": ("REINO DE ESPAÑA", "DOCUMENTO NACIONAL DE IDENTIDAD"),
    "be": ("BELGIË BELGIQUE BELGIEN", "IDENTITEITSKAART / CARTE D'IDENTITÉ / PERSONALAUSWEIS"),
    "pl": ("RZECZPOSPOLITA POLSKA", "DOWÓD OSOBISTY / IDENTITY CARD"),
    "pt": ("REPÚBLICA PORTUGUESA", "CARTÃO DE CIDADÃO / CITIZEN CARD"),
}

ID_LABELS = {
    "en": ("Surname", "Given names", "Date of birth", "Document No.", "Date of expiry", "en"),
    "de": ("Name", "Vornamen", "Geburtstag", "Ausweisnummer", "Gültig bis", "dmy."),
    "fr": ("Nom", "Prénoms", "Né(e) le", "N° du document", "Date d'expiration", "dmy/"),
    "nl": ("Naam", "Voornamen", "Geboortedatum", "Documentnummer", "Geldig tot", "dmy-"),
    "es": ("Apellidos", "Nombre", "Fecha de nacimiento", "Núm. soporte", "Válido hasta", "dmy/"),
    "be": ("Naam / Nom", "Voornamen / Prénoms", "Geboortedatum / Date de naissance",
           "Kaartnummer / N° de carte", "Geldig tot / Valable jusqu'au", "dmy."),
    "pl": ("Nazwisko / Surname", "Imiona / Given names", "Data urodzenia / Date of birth",
           "Numer dowodu / Card number", "Data ważności / Expiry date", "dmy."),
    "pt": ("Apelido(s) / Surname", "Nome(s) / Given names", "Data de nascimento / Date of birth",
           "N.º documento / Document No.", "Data de validade / Expiry date", "dmy-"),
}


def national_ids(corpus):
    for i, p in enumerate(NATIONAL_IDS, start=1):
        build = td1 if p["fmt"] == "TD1" else td2
        mrz = build(p["code"], p["state"], p["surname"], p["given"], p["number"], p["nat"],
                    mrz_date(p["dob"]), p["sex"], mrz_date(p["expiry"]), bad=p["bad"])
        country, title = ID_TITLES[p["lang"]]
        l_sur, l_giv, l_dob, l_no, l_exp, style = ID_LABELS[p["lang"]]
        surname, dob = p["surname"], p["dob"]
        if p["disagree"] == "surname":
            surname = p["surname"].split()[0] + " RUIZ DE ALDA"
        if p["disagree"] == "date_of_birth":
            y, m, d = ymd(p["dob"])
            dob = "%d-%02d-%02d" % (y, d if d <= 12 else m, m if d <= 12 else d)
            if dob == p["dob"]:
                dob = "%d-%02d-%02d" % (y - 10, m, d)
        body = [country, title, ""]
        front = ["%s: %s" % (l_sur, surname), "%s: %s" % (l_giv, p["given"]),
                 "%s: %s" % (l_dob, date_text(dob, style)), "%s: %s" % (l_no, p["number"]),
                 "%s: %s" % (l_exp, date_text(p["expiry"], style))]
        if i % 2:
            front = [front[3]] + front[:3] + front[4:]
        body += front
        if p["lang"] == "de":
            body += ["Staatsangehörigkeit: DEUTSCH", "Geburtsort: BERLIN"]
        elif p["lang"] == "fr":
            body += ["Nationalité: FRA", "Lieu de naissance: LYON"]
        else:
            body += ["Nationality / Nationalité: %s" % p["nat"]]
        back = ["", "--- verso / back ---", "Address / Adresse: (see register)", ""] + mrz
        fields = {
            "names": [full_name(p["given"], p["surname"])],
            "nationality": p["nat"],
            "expiry_date": p["expiry"],
            "mrz": mrz_label(p["fmt"], p["code"], p["state"], p["bad"] is None),
        }
        if p["bad"] != "dob" and p["disagree"] != "date_of_birth":
            fields["date_of_birth"] = p["dob"]
        if p["bad"] != "number":
            fields["document_number"] = p["number"]
        fields["mrz_agreement"] = {"surname": True, "date_of_birth": True, "document_number": True}
        if p["disagree"]:
            fields["mrz_agreement"][p["disagree"]] = False
        if p["disagree"] == "surname":
            # Printed and MRZ names differ: which one is reported is left open.
            del fields["names"]
        note = None
        if p["bad"]:
            note = "%s MRZ with its %s check digit deliberately wrong" % (p["fmt"], p["bad"])
        if p["disagree"]:
            note = "printed %s disagrees with the MRZ" % p["disagree"]
        name = "national-id-%02d-%s-%s.%s" % (i, p["state"].lower(), p["fmt"].lower(), p["ext"])
        if p["ext"] == "pdf":
            content = text_pdf([body + ["", "--- verso / back ---"], back[2:]])
        else:
            content = "\n".join(body + back) + "\n"
        corpus.add(name, content, "national_id", fields, note)


DRIVING_LICENCES = [
    dict(lang="en", country="UTOPIA", title="DRIVING LICENCE", surname="HOLLOWAY",
         given="MARGARET ANNE", dob="1969-05-14", pob="NORTHPORT", issue="2019-03-01",
         expiry="2029-02-28", authority="DVLA", number="HOLLO705149MA9AB",
         address="27 Larch Avenue, Northport NP4 7QD", cats="AM/A/B/BE", style="dmy.",
         verbose=False, ext="txt"),
    dict(lang="de", country="BUNDESREPUBLIK DEUTSCHLAND", title="FÜHRERSCHEIN",
         surname="SCHNEIDER", given="JONAS", dob="1990-11-30", pob="KÖLN", issue="2015-07-21",
         expiry="2030-07-20", authority="Stadt Köln", number="B072RRE2I55",
         address=None, cats="AM/B1/B/L", style="dmy.", verbose=False, ext="pdf"),
    dict(lang="fr", country="RÉPUBLIQUE FRANÇAISE", title="PERMIS DE CONDUIRE",
         surname="LEFÈVRE", given="THOMAS", dob="1984-02-09", pob="NANTES", issue="2014-09-16",
         expiry="2029-09-15", authority="Préfecture de Loire-Atlantique", number="140944100562",
         address=None, cats="B", style="dmy/", verbose=True, ext="txt"),
    dict(lang="nl", country="KONINKRIJK DER NEDERLANDEN", title="RIJBEWIJS",
         surname="BAKKER", given="FLEUR", dob="1997-06-03", pob="UTRECHT", issue="2016-06-10",
         expiry="2026-06-10", authority="Burg. v. Utrecht", number="5123456789",
         address=None, cats="AM B", style="dmy.", verbose=False, ext="txt"),
    dict(lang="es", country="REINO DE ESPAÑA", title="PERMISO DE CONDUCCIÓN",
         surname="FERNÁNDEZ MORA", given="ISABEL", dob="1975-12-24", pob="SEVILLA",
         issue="2021-01-12", expiry="2031-01-12", authority="DGT Sevilla", number="28765432X",
         address=None, cats="B", style="dmy/", verbose=True, ext="pdf"),
    dict(lang="en", country="IRELAND / ÉIRE", title="DRIVING LICENCE / CEADÚNAS TIOMÁNA",
         surname="BYRNE", given="CIARAN", dob="1988-08-01", pob="IRL", issue="2022-04-04",
         expiry="2032-04-03", authority="RSA", number="014725836",
         address="Apt 3, 12 Harbour View, Cobh, Co. Cork", cats="B/W", style="dmy.",
         verbose=True, ext="txt"),
]

LICENCE_WORDS = {
    "en": ("Surname", "First names", "Date and place of birth", "Date of issue", "Date of expiry",
           "Issuing authority", "Licence number", "Address", "Categories"),
    "de": ("Name", "Vornamen", "Geburtsdatum und -ort", "Ausstellungsdatum", "Ablaufdatum",
           "Ausstellende Behörde", "Führerscheinnummer", "Anschrift", "Klassen"),
    "fr": ("Nom", "Prénoms", "Date et lieu de naissance", "Date de délivrance",
           "Date d'expiration", "Autorité", "Numéro du permis", "Adresse", "Catégories"),
    "nl": ("Naam", "Voornamen", "Geboortedatum en -plaats", "Afgiftedatum", "Geldig tot",
           "Afgegeven door", "Rijbewijsnummer", "Adres", "Categorieën"),
    "es": ("Apellidos", "Nombre", "Fecha y lugar de nacimiento", "Fecha de expedición",
           "Fecha de caducidad", "Autoridad", "Número de permiso", "Domicilio", "Categorías"),
}


def driving_licences(corpus):
    for i, p in enumerate(DRIVING_LICENCES, start=1):
        w = LICENCE_WORDS[p["lang"]]
        st = p["style"]

        def item(n, word, value):
            return "%s %s: %s" % (n, word, value) if p["verbose"] else "%s %s" % (n, value)

        body = [p["country"], p["title"], ""]
        body += [
            item("1.", w[0], p["surname"]),
            item("2.", w[1], p["given"]),
            item("3.", w[2], "%s %s" % (date_text(p["dob"], st), p["pob"])),
            item("4a.", w[3], date_text(p["issue"], st)) + ("" if p["verbose"] else "   4b. " + date_text(p["expiry"], st)),
        ]
        if p["verbose"]:
            body.append(item("4b.", w[4], date_text(p["expiry"], st)))
        body.append(item("4c.", w[5], p["authority"]))
        body.append(item("5.", w[6], p["number"]))
        if p["address"]:
            body.append(item("8.", w[7], p["address"]))
        body.append(item("9.", w[8], p["cats"]))
        body += ["", "7. ____________ (signature)"]
        if i == 1:
            body += ["", "EU model driving licence. Valid only with the counterpart paper."]
        fields = {
            "names": [full_name(p["given"], p["surname"])],
            "date_of_birth": p["dob"],
            "issue_date": p["issue"],
            "expiry_date": p["expiry"],
            "document_number": p["number"],
        }
        name = "driving-licence-%02d-%s.%s" % (i, p["lang"], p["ext"])
        content = text_pdf([body]) if p["ext"] == "pdf" else "\n".join(body) + "\n"
        corpus.add(name, content, "driving_licence", fields)


# ---------------------------------------------------------------------------------------------
# Proof of address, bank statements, invoices
# ---------------------------------------------------------------------------------------------

def utility_bills(corpus):
    bills = []
    # English electricity bill, address block under a label.
    bills.append(("utility-bill-01-electricity-en.txt", "\n".join([
        "BRIGHTWATER ENERGY LTD",
        "Your electricity bill",
        "",
        "Bill date: 04 November 2026          Account number: 8830 1172 5561",
        "Customer: Mr Oliver Bennett",
        "Supply address: 14 Cedar Close, Ashbury, AB12 3CD",
        "",
        "Billing period 01 Oct 2026 - 31 Oct 2026",
        "Previous reading (actual)      41 208 kWh",
        "Current reading (estimated)    41 531 kWh",
        "Units used                        323 kWh",
        "",
        "Energy 323 kWh @ 24.50p            £79.14",
        "Standing charge 31 days @ 53.35p   £16.54",
        "VAT at 5%                           £4.78",
        "Total amount due                  £100.46",
        "",
        "We will collect £100.46 by Direct Debit on or after 18 November 2026.",
        "Questions? Call 0300 000 0000 or visit brightwater.example/help",
    ]) + "\n", ["Oliver Bennett"], ["14 Cedar Close, Ashbury, AB12 3CD"]))
    # French gas bill: "Facture", address without a label, amounts with comma decimals.
    bills.append(("utility-bill-02-gaz-fr.pdf", text_pdf([[
        "GAZ DU LITTORAL SA",
        "FACTURE DE GAZ NATUREL",
        "",
        "Facture n° 2026-118-44721 du 2 novembre 2026",
        "Titulaire du contrat : Mme Camille Rousseau",
        "Adresse de consommation : 8 rue des Tilleuls, 44000 Nantes",
        "Référence client : 550 217 998",
        "",
        "Période du 01/09/2026 au 31/10/2026",
        "Consommation : 1 412 kWh",
        "Abonnement                      38,72 EUR",
        "Consommation                   142,65 EUR",
        "Taxes et contributions          27,10 EUR",
        "TVA                             33,97 EUR",
        "Montant TTC à payer            242,44 EUR",
        "",
        "Prélèvement automatique le 20/11/2026 sur votre compte bancaire.",
        "Ce document peut servir de justificatif de domicile.",
    ]]), ["Camille Rousseau"], ["8 rue des Tilleuls, 44000 Nantes"]))
    # German water bill, letter-style with a window address.
    bills.append(("utility-bill-03-wasser-de.txt", "\n".join([
        "Stadtwerke Lindenau GmbH · Postfach 1140 · 04177 Leipzig",
        "",
        "Herrn",
        "Felix Wagner",
        "Gartenstraße 17",
        "04179 Leipzig",
        "",
        "Jahresabrechnung Trinkwasser und Abwasser 2026",
        "Kundennummer: 30-778120   Rechnungsdatum: 30.10.2026",
        "Verbrauchsstelle: Gartenstraße 17, 04179 Leipzig",
        "",
        "Zählerstand alt 1.204 m³   neu 1.281 m³   Verbrauch 77 m³",
        "Trinkwasser 77 m³ x 2,31 EUR        177,87 EUR",
        "Abwasser    77 m³ x 2,87 EUR        220,99 EUR",
        "Grundpreis                            96,00 EUR",
        "Summe netto                          494,86 EUR",
        "Umsatzsteuer 7 %                      34,64 EUR",
        "Rechnungsbetrag                      529,50 EUR",
        "Bereits gezahlte Abschläge           540,00 EUR",
        "Guthaben                              10,50 EUR",
        "",
        "Das Guthaben erstatten wir auf Ihr Konto.",
    ]) + "\n", ["Felix Wagner"], ["Gartenstraße 17, 04179 Leipzig"]))
    # Dutch internet/telephone bill.
    bills.append(("utility-bill-04-internet-nl.txt", "\n".join([
        "Polderlink B.V.",
        "Factuur internet, tv en bellen",
        "",
        "Factuurdatum: 01-11-2026",
        "Klantnummer: 7781 4402",
        "Naam: Sanne van Dijk",
        "Adres: Keizersgracht 210-2, 1016 DX Amsterdam",
        "",
        "Periode november 2026",
        "Alles-in-1 Basis                      € 52,50",
        "Bellen buiten bundel                  € 3,18",
        "Totaal incl. btw                      € 55,68",
        "",
        "Wij schrijven het bedrag rond 24-11-2026 af van uw rekening.",
    ]) + "\n", ["Sanne van Dijk"], ["Keizersgracht 210-2, 1016 DX Amsterdam"]))
    # Spanish electricity bill.
    bills.append(("utility-bill-05-luz-es.pdf", text_pdf([[
        "ELÉCTRICA DEL SUR S.A.",
        "Factura de electricidad",
        "",
        "Nº factura: FE26-0093381     Fecha de emisión: 05/11/2026",
        "Titular: Javier Morales Ortega",
        "Dirección de suministro: Calle Betis 45, 3º B, 41010 Sevilla",
        "CUPS: ES0031 4081 2257 9310 JY",
        "",
        "Periodo de facturación: 03/10/2026 - 02/11/2026 (31 días)",
        "Potencia contratada 4,6 kW                18,45 €",
        "Energía consumida 268 kWh                  41,02 €",
        "Impuesto eléctrico                          3,04 €",
        "Alquiler de equipos                         0,81 €",
        "IVA 21%                                    13,11 €",
        "TOTAL IMPORTE FACTURA                      76,43 €",
    ], [
        "Información sobre su consumo",
        "Su consumo medio diario ha sido de 8,65 kWh.",
        "Puede consultar el origen de la electricidad en electricadelsur.example/origen",
    ]]), ["Javier Morales Ortega"], ["Calle Betis 45, 3º B, 41010 Sevilla"]))
    # US-style council / municipal utilities statement.
    bills.append(("utility-bill-06-municipal-us.txt", "\n".join([
        "CITY OF MAPLE FALLS - UTILITIES DEPARTMENT",
        "Water, Sewer & Refuse Statement",
        "",
        "Account Holder: Priya Raman",
        "Service Address: 402 Birch Lane, Maple Falls, OR 97000",
        "Account #: 00-48812-07     Statement Date: 10/28/2026",
        "",
        "Water (7,480 gal)          $41.22",
        "Sewer                      $38.50",
        "Refuse collection          $27.00",
        "Stormwater fee              $6.75",
        "Amount Due by 11/20/2026  $113.47",
        "",
        "Keep this portion for your records. Return the stub below with your payment.",
    ]) + "\n", ["Priya Raman"], ["402 Birch Lane, Maple Falls, OR 97000"]))
    for name, content, names, addresses in bills:
        corpus.add(name, content, "proof_of_address", {"names": names, "addresses": addresses})


def bank_statements(corpus):
    gb = iban("GB", "NWBK" + "601613" + "31926819")
    de = iban("DE", "37040044" + "0532013000")
    fr = iban("FR", "20041" + "01005" + "0500013M026" + "06")
    nl = iban("NL", "ABNA" + "0417164300")
    es = iban("ES", es_bban("2100", "0418", "0200051332"))
    be = iban("BE", "539007547034")
    specs = [
        dict(name="bank-statement-01-en.txt", lang="en", bank="Harbourside Bank plc",
             bic="HBSBGB2LXXX", iban=gb, holder="Mr Oliver Bennett", style="en", cur="GBP",
             labels=("Statement of account", "Account holder", "IBAN", "BIC", "Date",
                     "Description", "Paid out", "Paid in", "Balance", "Opening balance",
                     "Closing balance"), ext="txt", spaced=True),
        dict(name="bank-statement-02-de.pdf", lang="de", bank="Rheinufer Sparkasse",
             bic="RHSKDE3KXXX", iban=de, holder="Felix Wagner", style="de", cur="EUR",
             labels=("Kontoauszug", "Kontoinhaber", "IBAN", "BIC", "Datum", "Buchungstext",
                     "Soll", "Haben", "Saldo", "Alter Kontostand", "Neuer Kontostand"),
             ext="pdf", spaced=True),
        dict(name="bank-statement-03-fr.txt", lang="fr", bank="Banque des Tilleuls",
             bic="BTILFRPPXXX", iban=fr, holder="Mme Camille Rousseau", style="fr",
             cur="EUR", labels=("Relevé de compte", "Titulaire", "IBAN", "BIC", "Date",
                                "Libellé", "Débit", "Crédit", "Solde", "Ancien solde",
                                "Nouveau solde"), ext="txt", spaced=True),
        dict(name="bank-statement-04-nl.txt", lang="nl", bank="Grachtenbank N.V.",
             bic="GRBKNL2A", iban=nl, holder="S. van Dijk", style="de", cur="EUR",
             labels=("Rekeningafschrift", "Rekeninghouder", "Rekeningnummer (IBAN)", "BIC",
                     "Datum", "Omschrijving", "Af", "Bij", "Saldo", "Beginsaldo",
                     "Eindsaldo"), ext="txt", spaced=False),
        dict(name="bank-statement-05-es.pdf", lang="es", bank="Banco Giralda S.A.",
             bic="BGIRESMMXXX", iban=es, holder="Javier Morales Ortega", style="de", cur="EUR",
             labels=("Extracto de cuenta", "Titular", "IBAN", "BIC/SWIFT", "Fecha", "Concepto",
                     "Cargo", "Abono", "Saldo", "Saldo anterior", "Saldo final"), ext="pdf",
             spaced=True),
        dict(name="bank-statement-06-be-fr-nbsp.txt", lang="fr", bank="Banque du Sablon",
             bic="BSABBEBBXXX", iban=be, holder="Els Willems", style="fr_nbsp", cur="EUR",
             labels=("Extrait de compte", "Titulaire du compte", "Compte IBAN", "Code BIC",
                     "Date", "Communication", "Débit", "Crédit", "Solde", "Solde précédent",
                     "Nouveau solde"), ext="txt", spaced=True),
    ]
    descriptions = {
        "en": ["Salary ACME LOGISTICS", "Card payment GREENGROCER", "Direct debit BRIGHTWATER",
               "Transfer to savings", "Rent standing order", "Card refund ONLINE STORE"],
        "de": ["Gehalt Lindenau Werke", "Kartenzahlung REWE", "Lastschrift Stadtwerke",
               "Überweisung Miete", "Dauerauftrag Sparen", "Gutschrift Erstattung"],
        "fr": ["Virement salaire", "Paiement CB BOULANGERIE", "Prélèvement GAZ DU LITTORAL",
               "Loyer novembre", "Virement épargne", "Remboursement mutuelle"],
        "nl": ["Salaris Polder Holding", "Betaalpas ALBERT", "Incasso Polderlink",
               "Huur november", "Spaarrekening", "Terugbetaling zorgverzekeraar"],
        "es": ["Nómina Giralda Tech", "Pago con tarjeta MERCADO", "Recibo ELÉCTRICA DEL SUR",
               "Alquiler noviembre", "Traspaso ahorro", "Devolución compra"],
    }
    date_styles = {"en": "en", "de": "dmy.", "fr": "dmy/", "nl": "dmy-", "es": "dmy/"}
    for s in specs:
        L = s["labels"]
        rng = random.Random(s["name"])
        opening = round(rng.uniform(800, 9000), 2)
        balance = opening
        rows = []
        for k, desc in enumerate(descriptions[s["lang"]]):
            credit = k in (0, 5)
            amount = round(rng.uniform(1200, 3800) if k == 0 else rng.uniform(9, 1400), 2)
            balance = round(balance + (amount if credit else -amount), 2)
            day = "2026-10-%02d" % (2 + 4 * k)
            rows.append((date_text(day, date_styles[s["lang"]]), desc,
                         "" if credit else amount_text(amount, s["style"]),
                         amount_text(amount, s["style"]) if credit else "",
                         amount_text(balance, s["style"])))
        shown_iban = iban_spaced(s["iban"]) if s["spaced"] else s["iban"]
        head = [s["bank"].upper(), L[0] + " 10/2026", "",
                "%s: %s" % (L[1], s["holder"]),
                "%s: %s" % (L[2], shown_iban),
                "%s: %s" % (L[3], s["bic"]),
                "%s: %s %s" % (L[9], amount_text(opening, s["style"]), s["cur"]), ""]
        table = ["%-12s %-32s %12s %12s %12s" % (L[4], L[5], L[6], L[7], L[8])]
        table += ["%-12s %-32s %12s %12s %12s" % r for r in rows]
        tail = ["", "%s: %s %s" % (L[10], amount_text(balance, s["style"]), s["cur"])]
        holder = s["holder"].replace("Mr ", "").replace("Mme ", "")
        fields = {"ibans": [s["iban"]], "bics": [s["bic"]]}
        if "." not in holder:
            fields["names"] = [holder]
        if s["ext"] == "pdf":
            content = text_pdf([head + table[:4], table[4:] + tail])
        else:
            content = "\n".join(head + table + tail) + "\n"
        corpus.add(s["name"], content, "bank_statement", fields)


ISSUER_ADDRESSES = [
    "Unit 4, 19 Wharf Road, London N1 7GR",
    "Industriestraße 8, 28199 Bremen",
    "27 quai de la Fosse, 44000 Nantes",
    "Polígono Store, Calle A 14, 41008 Sevilla",
    "Twijnstraat 31, 3511 ZH Utrecht",
    "1450 Canyon Blvd, Boulder, CO 80302",
]


def invoices(corpus):
    card = luhn_complete("453914880343646")
    specs = [
        dict(name="invoice-01-en-gb.txt", issuer="Kestrel Design Studio Ltd",
             number="KDS-2026-0412", date="2026-10-14", cur="GBP", style="en", dstyle="en",
             vat=vat_gb("5730482"), vat_label="VAT Reg. No.", lang="en",
             items=[("Brand workshop (1 day)", 1200.00), ("Logo design, three concepts", 850.00),
                    ("Print-ready files", 150.00)], tax=0.20,
             iban=iban("GB", "HBSB" + "400515" + "70381245"), card=None),
        dict(name="invoice-02-de.pdf", issuer="Holzwerk Brandt GmbH", number="RE-26-10871",
             date="2026-09-30", cur="EUR", style="de", dstyle="dmy.", vat=vat_de("81234567"),
             vat_label="USt-IdNr.", lang="de",
             items=[("Eichentisch massiv, 200 x 90 cm", 2480.00), ("Lieferung und Montage", 190.00)],
             tax=0.19, iban=iban("DE", "37040044" + "0123456789"), card=None),
        dict(name="invoice-03-fr.txt", issuer="Atelier Lumière SARL", number="F2026-00317",
             date="2026-11-03", cur="EUR", style="fr", dstyle="fr", vat=vat_fr("732829320"),
             vat_label="N° TVA intracommunautaire", lang="fr",
             items=[("Installation éclairage boutique", 1840.00), ("Fournitures LED", 612.40)],
             tax=0.20, iban=iban("FR", "30004" + "00550" + "00012345678" + "45"), card=None),
        dict(name="invoice-04-es.txt", issuer="Construcciones Giralda S.L.",
             number="2026/FV/0098", date="2026-10-21", cur="EUR", style="de", dstyle="dmy/",
             vat=cif_es("B", "4123456"), vat_label="NIF", lang="es",
             items=[("Reforma de baño", 3650.00), ("Materiales", 1275.50)], tax=0.21,
             iban=iban("ES", es_bban("0049", "1500", "0512345678")), card=None),
        dict(name="invoice-05-nl.pdf", issuer="Fietsenmakerij De Spaak B.V.",
             number="2026-1187", date="2026-08-19", cur="EUR", style="de", dstyle="dmy-",
             vat=vat_nl("85412367"), vat_label="BTW-nummer", lang="nl",
             items=[("Onderhoudsbeurt e-bike", 129.00), ("Nieuwe ketting", 34.95),
                    ("Remblokken voor en achter", 42.50)], tax=0.21, iban=None, card=None),
        dict(name="invoice-06-en-us-card.txt", issuer="Summit Trail Outfitters Inc.",
             number="INV-88213", date="2026-07-04", cur="USD", style="en", dstyle="mdy/",
             vat=None, vat_label=None, lang="us",
             items=[("Tent, 3-person", 389.00), ("Sleeping bag x2", 258.00)], tax=0.0725,
             iban=None, card=card),
    ]
    words = {
        "en": ("INVOICE", "Invoice number", "Invoice date", "Description", "Amount", "Subtotal",
               "VAT 20%", "Total due", "Please pay to", "Bill to"),
        "us": ("INVOICE", "Invoice #", "Date", "Item", "Price", "Subtotal", "Sales tax 7.25%",
               "TOTAL", "Paid by card", "Sold to"),
        "de": ("RECHNUNG", "Rechnungsnummer", "Rechnungsdatum", "Leistung", "Betrag",
               "Zwischensumme netto", "zzgl. 19 % USt.", "Gesamtbetrag", "Bankverbindung",
               "Rechnungsempfänger"),
        "fr": ("FACTURE", "Facture n°", "Date de facture", "Désignation", "Montant HT",
               "Total HT", "TVA 20 %", "Total TTC", "Règlement par virement", "Client"),
        "es": ("FACTURA", "Número de factura", "Fecha", "Concepto", "Importe", "Base imponible",
               "IVA 21%", "TOTAL FACTURA", "Transferencia a", "Cliente"),
        "nl": ("FACTUUR", "Factuurnummer", "Factuurdatum", "Omschrijving", "Bedrag",
               "Subtotaal excl. btw", "Btw 21%", "Totaal te betalen", "Rekening", "Klant"),
    }
    customers = ["Northwind Trading Ltd, 1 Quay Street, Bristol BS1 4DJ",
                 "Café Morgenrot, Südstraße 4, 50676 Köln",
                 "Boutique Hélène, 12 rue Crébillon, 44000 Nantes",
                 "Bar La Giralda, Calle Sierpes 9, 41004 Sevilla",
                 "M. de Groot, Oudegracht 77, 3511 AH Utrecht",
                 "Dana Whitfield, 88 Pine Ridge Rd, Boulder, CO 80302"]
    for k, s in enumerate(specs):
        W = words[s["lang"]]
        net = round(sum(a for _, a in s["items"]), 2)
        tax = round(net * s["tax"], 2)
        total = round(net + tax, 2)
        cur_word = {"GBP": "£", "EUR": "€", "USD": "$"}[s["cur"]] if k % 2 == 0 else s["cur"]

        def money(x):
            return "%s %s" % (cur_word, amount_text(x, s["style"])) if k % 2 == 0 else \
                "%s %s" % (amount_text(x, s["style"]), cur_word)

        head = [s["issuer"], ISSUER_ADDRESSES[k], ""]
        meta = ["%s: %s" % (W[1], s["number"]), "%s: %s" % (W[2], date_text(s["date"], s["dstyle"]))]
        if s["vat"]:
            meta.append("%s: %s" % (s["vat_label"], s["vat"]))
        body = [W[0], ""] + (meta if k % 2 == 0 else meta[::-1]) + ["", "%s: %s" % (W[9], customers[k]), ""]
        body.append("%-40s %16s" % (W[3], W[4]))
        body += ["%-40s %16s" % (d, money(a)) for d, a in s["items"]]
        body += ["", "%-40s %16s" % (W[5], money(net)), "%-40s %16s" % (W[6], money(tax)),
                 "%-40s %16s" % (W[7], money(total)), ""]
        if s["iban"]:
            body.append("%s: IBAN %s" % (W[8], iban_spaced(s["iban"])))
        if s["card"]:
            body.append("%s: VISA %s" % (W[8], " ".join(s["card"][i:i + 4] for i in range(0, 16, 4))))
        fields = {
            "issuer": s["issuer"],
            "invoice_number": s["number"],
            "invoice_date": s["date"],
            "total_amount": total,
            "currency": s["cur"],
        }
        if s["vat"]:
            fields["vat_ids"] = [s["vat"]]
        if s["iban"]:
            fields["ibans"] = [s["iban"]]
        if s["card"]:
            fields["card_numbers"] = [s["card"]]
        note = "a full card number printed on purpose (Luhn-valid)" if s["card"] else None
        if s["name"].endswith(".pdf"):
            content = text_pdf([head + body])
        else:
            content = "\n".join(head + body) + "\n"
        corpus.add(s["name"], content, "invoice", fields, note)


# ---------------------------------------------------------------------------------------------
# Tax forms, applications, transaction exports, consent forms, other
# ---------------------------------------------------------------------------------------------

def tax_forms(corpus):
    def w8_lines(name, country, addr, tin, dob, signed):
        return [
            "Form W-8BEN",
            "(Rev. October 2021)",
            "Department of the Treasury  Internal Revenue Service",
            "Certificate of Foreign Status of Beneficial Owner for United States Tax Withholding "
            "and Reporting (Individuals)",
            "Go to www.irs.gov/FormW8BEN for instructions and the latest information.",
            "Give this form to the withholding agent or payer. Do not send to the IRS.",
            "",
            "Part I  Identification of Beneficial Owner",
            "1  Name of individual who is the beneficial owner: %s" % name,
            "2  Country of citizenship: %s" % country,
            "3  Permanent residence address (street, apt. or suite no., or rural route). "
            "Do not use a P.O. box or in-care-of address.",
            "   %s" % addr,
            "5  U.S. taxpayer identification number (SSN or ITIN), if required:",
            "6a Foreign tax identifying number: %s" % tin,
            "8  Date of birth (MM-DD-YYYY): %s" % dob,
            "",
            "Part II  Claim of Tax Treaty Benefits (for chapter 3 purposes only)",
            "9  I certify that the beneficial owner is a resident of %s within the meaning of the "
            "income tax treaty between the United States and that country." % country,
            "",
            "Part III  Certification",
            "Under penalties of perjury, I declare that I have examined the information on this form "
            "and to the best of my knowledge and belief it is true, correct, and complete.",
            "Sign Here: %s    Date (MM-DD-YYYY): 10-02-2026" % ("/s/ " + name if signed else "________"),
            "",
            "For Paperwork Reduction Act Notice, see separate instructions.  Cat. No. 25047Z  "
            "Form W-8BEN (Rev. 10-2021)",
        ]
    corpus.add("tax-form-01-w8ben-de.txt", "\n".join(w8_lines(
        "Jonas Schneider", "Germany", "Aachener Straße 12, 50674 Köln, Germany",
        "12 345 678 901", "11-30-1990", True)) + "\n", "tax_form")
    corpus.add("tax-form-02-w8ben-fr.pdf", text_pdf([w8_lines(
        "Camille Rousseau", "France", "8 rue des Tilleuls, 44000 Nantes, France",
        "1 84 02 44 109 203", "02-09-1984", False)[:14], w8_lines(
        "Camille Rousseau", "France", "8 rue des Tilleuls, 44000 Nantes, France",
        "1 84 02 44 109 203", "02-09-1984", False)[14:]]), "tax_form")

    def w2(employer, ein, employee, addr, wages, fed, year):
        ss = round(wages * 0.062, 2)
        med = round(wages * 0.0145, 2)
        return [
            "Form W-2  Wage and Tax Statement  %d" % year,
            "Copy B-To Be Filed With Employee's FEDERAL Tax Return.",
            "Department of the Treasury-Internal Revenue Service",
            "",
            "a Employee's social security number: XXX-XX-4821",
            "b Employer identification number (EIN): %s" % ein,
            "c Employer's name, address, and ZIP code: %s" % employer,
            "d Control number: 000117",
            "e Employee's first name and initial / Last name: %s" % employee,
            "f Employee's address and ZIP code: %s" % addr,
            "1 Wages, tips, other compensation: %s" % amount_text(wages, "en"),
            "2 Federal income tax withheld: %s" % amount_text(fed, "en"),
            "3 Social security wages: %s" % amount_text(wages, "en"),
            "4 Social security tax withheld: %s" % amount_text(ss, "en"),
            "5 Medicare wages and tips: %s" % amount_text(wages, "en"),
            "6 Medicare tax withheld: %s" % amount_text(med, "en"),
            "12a D: 6,500.00",
            "15 State OR  Employer's state ID number 0482211-9",
            "16 State wages, tips, etc.: %s" % amount_text(wages, "en"),
            "",
            "This information is being furnished to the Internal Revenue Service.",
        ]
    corpus.add("tax-form-03-w2-2025.txt", "\n".join(w2(
        "Cascade Timber Works Inc, 900 Mill Rd, Eugene OR 97401", "93-1234567",
        "Priya Raman", "402 Birch Lane, Maple Falls, OR 97000", 68420.00, 7212.50, 2025)) + "\n",
        "tax_form")
    corpus.add("tax-form-04-w2-2024.pdf", text_pdf([w2(
        "Lakeside Medical Supply Inc, 12 Shore Dr, Madison WI 53703", "39-7654321",
        "Dana Whitfield", "88 Pine Ridge Rd, Boulder, CO 80302", 91250.75, 11873.10, 2024)]),
        "tax_form")


def kyc_applications(corpus):
    apps = [
        ("kyc-application-01-en.txt", "\n".join([
            "HARBOURSIDE BANK PLC - PERSONAL ACCOUNT APPLICATION",
            "Customer due diligence questionnaire",
            "",
            "1. About you",
            "Full name: Oliver James Bennett",
            "Date of birth: 03/02/1986",
            "Nationality: British",
            "Address: 14 Cedar Close, Ashbury, AB12 3CD",
            "Occupation: Civil engineer",
            "Employer: Ashbury Structures Ltd",
            "",
            "2. Your account",
            "Purpose of the account: salary, household bills, savings",
            "Expected monthly deposits: GBP 3,000 - 5,000",
            "Source of funds: Employment income",
            "",
            "3. Declarations",
            "Are you a politically exposed person (PEP) or a close associate of one? No",
            "Are you resident for tax purposes outside the UK? No",
            "I confirm the information above is true and complete.",
            "Signed: O. Bennett      Date: 21/10/2026",
        ]) + "\n", {"names": ["Oliver James Bennett"], "date_of_birth": "1986-02-03",
                    "nationality": "British", "addresses": ["14 Cedar Close, Ashbury, AB12 3CD"]}),
        ("kyc-application-02-fr.pdf", text_pdf([[
            "BANQUE DES TILLEULS",
            "DEMANDE D'OUVERTURE DE COMPTE - CONNAISSANCE CLIENT (KYC)",
            "",
            "Identité du demandeur",
            "Nom : Rousseau",
            "Prénoms : Camille Anne",
            "Date de naissance : 09/02/1984",
            "Nationalité : Française",
            "Adresse : 8 rue des Tilleuls, 44000 Nantes",
            "Profession : Pharmacienne",
        ], [
            "Origine des fonds : revenus professionnels et épargne",
            "Montant prévu des dépôts mensuels : 4 500 EUR",
            "Personne politiquement exposée : Non",
            "",
            "Je certifie l'exactitude des informations fournies.",
            "Fait à Nantes, le 14/10/2026     Signature : C. Rousseau",
        ]]), {"names": ["Camille Anne Rousseau"], "date_of_birth": "1984-02-09",
              "nationality": "Française", "addresses": ["8 rue des Tilleuls, 44000 Nantes"]}),
        ("kyc-application-03-de.txt", "\n".join([
            "Rheinufer Sparkasse",
            "Kontoeröffnungsantrag Privatgirokonto - Angaben nach Geldwäschegesetz (GwG)",
            "",
            "Antragsteller",
            "Name: Wagner",
            "Vorname: Felix",
            "Geburtsdatum: 30.11.1990",
            "Staatsangehörigkeit: deutsch",
            "Anschrift: Gartenstraße 17, 04179 Leipzig",
            "Beruf: Elektriker",
            "",
            "Wirtschaftlich Berechtigter: Ich handle auf eigene Rechnung.",
            "Politisch exponierte Person (PEP): nein",
            "Herkunft der Mittel: Arbeitseinkommen",
            "",
            "Leipzig, 02.10.2026     Unterschrift: F. Wagner",
        ]) + "\n", {"names": ["Felix Wagner"], "date_of_birth": "1990-11-30",
                    "nationality": "deutsch", "addresses": ["Gartenstraße 17, 04179 Leipzig"]}),
        ("kyc-application-04-es-pep.txt", "\n".join([
            "BANCO GIRALDA S.A.",
            "Formulario de conocimiento del cliente (KYC) - persona física",
            "",
            "Nombre: Isabel",
            "Apellidos: Fernández Mora",
            "Fecha de nacimiento: 24/12/1975",
            "Nacionalidad: Española",
            "Domicilio: Calle Betis 12, 41010 Sevilla",
            "Actividad profesional: Concejala del Ayuntamiento de Sevilla",
            "",
            "¿Es usted persona con responsabilidad pública (PEP)? Sí - cargo público municipal",
            "Origen de los fondos: retribución pública y rentas de alquiler",
            "Previsión de movimientos mensuales: 6.000 EUR",
            "",
            "Declaro que los datos facilitados son ciertos.",
            "Firma: I. Fernández     Fecha: 08/10/2026",
        ]) + "\n", {"names": ["Isabel Fernández Mora"], "date_of_birth": "1975-12-24",
                    "nationality": "Española", "addresses": ["Calle Betis 12, 41010 Sevilla"]}),
        ("kyc-application-05-nl-business.txt", "\n".join([
            "Grachtenbank N.V. - Aanvraag zakelijke rekening",
            "Cliëntonderzoek (Wwft)",
            "",
            "Bedrijfsgegevens",
            "Statutaire naam: Fietsenmakerij De Spaak B.V.",
            "KvK-nummer: 81234567",
            "Vestigingsadres: Oudegracht 140, 3511 AZ Utrecht",
            "",
            "Uiteindelijk belanghebbende (UBO)",
            "Naam: Fleur Bakker",
            "Geboortedatum: 03-06-1997",
            "Nationaliteit: Nederlandse",
            "Belang: 100% van de aandelen",
            "",
            "Verwachte omzet per maand: EUR 25.000",
            "Herkomst van middelen: omzet uit reparatie en verkoop van fietsen",
            "PEP: nee",
            "",
            "Ondertekend te Utrecht op 11-10-2026 door F. Bakker, bestuurder",
        ]) + "\n", {"names": ["Fleur Bakker"], "date_of_birth": "1997-06-03",
                    "nationality": "Nederlandse",
                    "addresses": ["Oudegracht 140, 3511 AZ Utrecht"]}),
        ("kyc-application-06-en-online.txt", "\n".join([
            "Online onboarding - identity and suitability form",
            "Reference: ONB-2026-55812",
            "",
            "First name(s): Adaeze",
            "Last name: Okonkwo",
            "Date of birth: 9 July 2001",
            "Country of nationality: Utopia",
            "Residential address: Flat 5, 22 Meridian Row, Zenith City ZC1 9AA",
            "Tax residence: Utopia   TIN: UT-55120981",
            "Employment status: Student",
            "Annual income band: under 20,000",
            "Source of wealth: family support, part-time work",
            "Intended use of account: everyday spending, receiving transfers from family abroad",
            "PEP status: not a PEP",
            "",
            "[x] I declare that the information provided is accurate.",
            "Submitted electronically on 2026-10-30 from a verified device.",
        ]) + "\n", {"names": ["Adaeze Okonkwo"], "date_of_birth": "2001-07-09",
                    "nationality": "Utopia",
                    "addresses": ["Flat 5, 22 Meridian Row, Zenith City ZC1 9AA"]}),
    ]
    for name, content, fields in apps:
        corpus.add(name, content, "kyc_application", fields)


def transaction_totals(rows):
    totals = {}
    for amount, cur in rows:
        totals[cur] = round(totals.get(cur, 0.0) + abs(amount), 2)
    return {"count": len(rows), "totals": dict(sorted(totals.items()))}


def transaction_reports(corpus):
    rng = random.Random(4711)
    people = ["Oliver Bennett", "Camille Rousseau", "Felix Wagner", "Sanne van Dijk",
              "Javier Morales Ortega", "Priya Raman", "Harbor Supplies LLC", "Kestrel Design Studio Ltd"]

    # 1. Plain English CSV, ISO dates, one currency.
    rows, facts = [["date", "account", "customer", "amount", "currency", "type", "reference"]], []
    for k in range(12):
        a = round(rng.uniform(20, 9800), 2)
        rows.append(["2026-10-%02d" % (1 + 2 * k), "ACC-%04d" % (1000 + k % 4), people[k % 4],
                     "%.2f" % a, "USD", rng.choice(["cash deposit", "card payment", "wire transfer"]),
                     "TX-%05d" % (30000 + k)])
        facts.append((a, "USD"))
    corpus.add("transactions-01-basic.csv", csv_text(rows), "transaction_report",
               {"transactions": transaction_totals(facts)})

    # 2. German bank export: semicolons, decimal commas, debit as negative numbers.
    rows, facts = [["Buchungstag", "Valuta", "Auftraggeber/Empfänger", "Verwendungszweck",
                    "Betrag", "Währung"]], []
    for k in range(10):
        a = round(rng.uniform(5, 2500), 2) * (1 if k % 3 == 0 else -1)
        rows.append([date_text("2026-10-%02d" % (2 + 2 * k), "dmy."),
                     date_text("2026-10-%02d" % (2 + 2 * k), "dmy."),
                     ["Stadtwerke Lindenau", "REWE Markt", "Gehalt Lindenau Werke", "Vermieter K. Roth"][k % 4],
                     "Ref %d" % (7100 + k), amount_text(a, "plain_comma") if a >= 0 else "-" + amount_text(-a, "plain_comma"), "EUR"])
        facts.append((a, "EUR"))
    corpus.add("transactions-02-umsaetze-de.csv", csv_text(rows, ";"), "transaction_report",
               {"transactions": transaction_totals(facts)})

    # 3. Debit / credit in separate columns, several currencies, thousands separators.
    rows, facts = [["Transaction ID", "Value Date", "Counterparty", "Counterparty IBAN",
                    "Debit", "Credit", "CCY"]], []
    cps = [("Weber Holzbau GmbH", iban("DE", "37040044" + "0532013001")),
           ("Atelier Lumière SARL", iban("FR", "30004" + "00550" + "00012345679" + "12")),
           ("Ashford Orthodontics Ltd", iban("GB", "BARC" + "203253" + "73649281"))]
    for k in range(9):
        a = round(rng.uniform(500, 48000), 2)
        cp, cp_iban = cps[k % 3]
        cur = ["EUR", "EUR", "GBP"][k % 3]
        debit = k % 2 == 0
        rows.append(["FT26%06d" % (k + 1), "2026-10-%02d" % (3 + 3 * k), cp, cp_iban,
                     amount_text(a, "en") if debit else "", "" if debit else amount_text(a, "en"), cur])
        facts.append((a, cur))
    corpus.add("transactions-03-wires-debit-credit.csv", csv_text(rows), "transaction_report",
               {"transactions": transaction_totals(facts)})

    # 4. JSON array of flat objects.
    items, facts = [], []
    for k in range(8):
        a = round(rng.uniform(10, 3000), 2)
        cur = ["EUR", "USD"][k % 2]
        items.append({"id": "pay_%04d" % (k + 1), "created": "2026-10-%02dT%02d:15:00Z" % (4 + k, 8 + k),
                      "amount": a, "currency": cur, "status": "succeeded",
                      "description": "Order %d" % (5100 + k), "customer_name": people[k % 6]})
        facts.append((a, cur))
    corpus.add("transactions-04-payments.json", json.dumps(items, indent=2, ensure_ascii=False) + "\n",
               "transaction_report", {"transactions": transaction_totals(facts)})

    # 5. JSON wrapped in a report object, amounts as strings with thousands separators.
    items, facts = [], []
    for k in range(6):
        a = round(rng.uniform(1000, 20000), 2)
        items.append({"booking_date": "2026-09-%02d" % (5 + 4 * k), "direction": ["in", "out"][k % 2],
                      "amount": amount_text(a, "en"), "currency": "GBP",
                      "counterparty": {"name": people[(k + 2) % 8], "country": "GB"},
                      "reference": "CHAPS-%d" % (9900 + k)})
        facts.append((a, "GBP"))
    doc = {"export": {"bank": "Harbourside Bank plc", "account": "Client money account",
                      "period": {"from": "2026-09-01", "to": "2026-09-30"}},
           "transactions": items}
    corpus.add("transactions-05-chaps-export.json", json.dumps(doc, indent=2, ensure_ascii=False) + "\n",
               "transaction_report", {"transactions": transaction_totals(facts)})

    # 6. Dutch export with Dutch headers and Af/Bij direction.
    rows, facts = [["Datum", "Naam / Omschrijving", "Rekening", "Tegenrekening", "Af Bij",
                    "Bedrag (EUR)", "Mededelingen"]], []
    own = iban("NL", "ABNA" + "0417164300")
    for k in range(7):
        a = round(rng.uniform(3, 900), 2)
        rows.append(["202610%02d" % (1 + 4 * k), ["Albert Heijn", "Polderlink B.V.", "Huur", "NS Reizigers"][k % 4],
                     own, iban("NL", "RABO" + "%010d" % (3000000000 + 7 * k)), ["Af", "Bij"][k % 2 == 1 and k > 4],
                     amount_text(a, "plain_comma"), "Omschrijving %d" % k])
        facts.append((a, "EUR"))
    corpus.add("transactions-06-mutaties-nl.csv", csv_text(rows), "transaction_report",
               {"transactions": transaction_totals(facts)})

    # 7. Card acquiring report: masked PANs (not card numbers), tab-separated.
    rows, facts = [["txn_time", "merchant", "pan_masked", "amount", "currency", "auth_code"]], []
    for k in range(8):
        a = round(rng.uniform(4, 400), 2)
        rows.append(["2026-10-%02d 1%d:0%d:12" % (10 + k, k % 10, k % 6), "Summit Trail Outfitters",
                     "453914******%04d" % (1000 + 37 * k), "%.2f" % a, "USD", "A%05d" % (k * 731)])
        facts.append((a, "USD"))
    corpus.add("transactions-07-card-acquiring.tsv.csv", csv_text(rows, "\t"), "transaction_report",
               {"transactions": transaction_totals(facts)})


def consent_forms(corpus):
    forms = [
        ("consent-form-01-signed-en.txt", "\n".join([
            "HARBOURSIDE BANK PLC",
            "Consent to marketing communications",
            "",
            "Name: Oliver Bennett",
            "Purpose: sending offers about mortgages and savings by e-mail and SMS",
            "",
            "[x] I agree that Harbourside Bank may use my contact details for the purpose above.",
            "",
            "You can withdraw your consent at any time in the app, by replying STOP, or by writing",
            "to privacy@harbourside.example. Withdrawing does not affect earlier processing.",
            "",
            "Signature: O. Bennett",
            "Date: 21/10/2026",
        ]) + "\n", dict(given=True, signed=True, withdrawal_explained=True,
                        separate_from_other_terms=True, date="2026-10-21")),
        ("consent-form-02-unsigned-fr.txt", "\n".join([
            "BANQUE DES TILLEULS",
            "Consentement au traitement de données personnelles (RGPD, art. 6 et 7)",
            "",
            "Nom : Camille Rousseau",
            "Finalité : enregistrement des appels téléphoniques pour améliorer la qualité du service",
            "",
            "[ ] J'accepte le traitement de mes données pour la finalité ci-dessus.",
            "",
            "Vous pouvez retirer votre consentement à tout moment en écrivant à dpo@tilleuls.example.",
            "",
            "Date : ____________",
            "Signature : ____________",
        ]) + "\n", dict(given=False, signed=False, withdrawal_explained=True,
                        separate_from_other_terms=True)),
        ("consent-form-03-de-einwilligung.pdf", text_pdf([[
            "Rheinufer Sparkasse",
            "Einwilligungserklärung zur Datenverarbeitung",
            "",
            "Name: Felix Wagner",
            "Zweck: Übermittlung meiner Kontodaten an die Rheinufer Versicherung AG zur",
            "Erstellung eines Angebots für eine Hausratversicherung.",
            "",
            "[X] Ich willige in die Verarbeitung meiner Daten zu dem genannten Zweck ein.",
            "",
            "Widerrufsrecht: Sie können diese Einwilligung jederzeit mit Wirkung für die Zukunft",
            "widerrufen, z. B. per E-Mail an datenschutz@rheinufer.example.",
            "",
            "Leipzig, den 02.10.2026",
            "Unterschrift: F. Wagner",
        ]]), dict(given=True, signed=True, withdrawal_explained=True,
                  separate_from_other_terms=True, date="2026-10-02")),
        ("consent-form-04-bundled-terms-en.txt", "\n".join([
            "SUMMIT TRAIL REWARDS - MEMBERSHIP SIGN-UP",
            "",
            "Name: Dana Whitfield",
            "E-mail: on file",
            "",
            "[x] I accept the Terms and Conditions of the Rewards programme, the Privacy Policy, and",
            "    consent to my data being shared with marketing partners for personalised offers.",
            "",
            "Signature: Dana Whitfield",
            "Date: 07/04/2026",
        ]) + "\n", dict(given=True, signed=True, withdrawal_explained=False,
                        separate_from_other_terms=False)),
        ("consent-form-05-withdrawal-es.txt", "\n".join([
            "BANCO GIRALDA S.A.",
            "Revocación del consentimiento para el tratamiento de datos personales",
            "",
            "Nombre: Javier Morales Ortega",
            "Finalidad: comunicaciones comerciales de productos de inversión",
            "",
            "Por medio del presente escrito, retiro el consentimiento que otorgué el 15/03/2024 para",
            "la finalidad indicada. La retirada no afecta a la licitud del tratamiento anterior.",
            "",
            "Firma: J. Morales",
            "Fecha: 19/10/2026",
        ]) + "\n", dict(given=False, signed=True)),
        ("consent-form-06-nl-toestemming.txt", "\n".join([
            "Grachtenbank N.V.",
            "Toestemmingsformulier - gebruik van betaalgegevens voor budgetinzicht",
            "",
            "Naam: Sanne van Dijk",
            "Doel: het analyseren van mijn betaalgegevens om mij inzicht in mijn uitgaven te geven.",
            "",
            "[x] Ja, ik geef toestemming voor het hierboven genoemde doel.",
            "",
            "U kunt uw toestemming altijd intrekken via de app onder Instellingen > Privacy.",
            "Dit formulier staat los van de algemene voorwaarden.",
            "",
            "Datum: 03-11-2026",
            "Handtekening: S. van Dijk",
        ]) + "\n", dict(given=True, signed=True, withdrawal_explained=True,
                        separate_from_other_terms=True, date="2026-11-03")),
    ]
    for name, content, consent in forms:
        corpus.add(name, content, "consent_form", {"consent": consent})


def other_documents(corpus):
    corpus.add("other-01-meeting-notes.txt", "\n".join([
        "Product team weekly sync - notes",
        "Attendees: Hana, Tomasz, Inès, Ravi",
        "",
        "1. Release 4.2: the onboarding screens slipped one week; design review on Thursday.",
        "2. Support backlog is down to 41 tickets. Most are about password resets.",
        "3. Offsite: venue shortlist is Ghent or Porto. Budget owner to confirm by Friday.",
        "4. Hiring: two interviews for the data engineer role next week.",
        "",
        "Actions",
        "- Tomasz: update the roadmap slide",
        "- Inès: book the design review room",
        "- Ravi: draft the offsite agenda",
    ]) + "\n", "other")
    corpus.add("other-02-brochure-coffee-machine.pdf", text_pdf([[
        "AROMA PRO 9000",
        "The barista in your kitchen",
        "",
        "Grind, tamp and brew in one touch. 15-bar pump, dual boiler, steam wand.",
        "Twelve grind settings, a 2-litre water tank and a cup warmer.",
        "",
        "Colours: brushed steel, matte black, cream",
        "Dimensions: 34 x 29 x 41 cm   Weight: 9.8 kg",
        "Recommended retail price: from 649 EUR",
    ], [
        "Care and cleaning",
        "Descale every two months with the supplied tablets. The drip tray is dishwasher-safe.",
        "Two-year warranty. Register your machine at aroma.example/register.",
    ]]), "other")
    corpus.add("other-03-letter-neighbours.txt", "\n".join([
        "Dear neighbours,",
        "",
        "We are planning a small street party on Saturday 12 September from 2 pm to 8 pm.",
        "Everyone is welcome: bring a dish to share, chairs and good weather if you can.",
        "The council has agreed to close the road between numbers 2 and 40 for the afternoon.",
        "",
        "If you have questions or want to help with the barbecue, knock at number 17.",
        "",
        "Best wishes,",
        "Margaret and Tom",
    ]) + "\n", "other")
    corpus.add("other-04-recette-fr.txt", "\n".join([
        "Tarte aux pommes de grand-mère",
        "",
        "Ingrédients (6 personnes) : 1 pâte brisée, 5 pommes, 50 g de sucre, 30 g de beurre,",
        "1 sachet de sucre vanillé, un peu de cannelle.",
        "",
        "Préchauffer le four à 200 °C. Étaler la pâte dans un moule, la piquer à la fourchette.",
        "Éplucher et couper les pommes en fines lamelles, les disposer en rosace.",
        "Saupoudrer de sucre et de cannelle, parsemer de beurre. Cuire 35 minutes.",
    ]) + "\n", "other")
    corpus.add("other-05-press-release-de.txt", "\n".join([
        "Pressemitteilung",
        "",
        "Lindenauer Stadtbibliothek verlängert Öffnungszeiten",
        "",
        "Leipzig, 1. Oktober 2026 - Ab November öffnet die Stadtbibliothek auch sonntags von",
        "11 bis 17 Uhr. Die Leiterin der Bibliothek freut sich über das neue Angebot für",
        "Familien und Studierende. Der Lesesaal erhält zusätzlich 40 Arbeitsplätze.",
        "",
        "Pressekontakt: presse@bibliothek-lindenau.example",
    ]) + "\n", "other")
    corpus.add("other-06-job-posting-en.txt", "\n".join([
        "We're hiring: Backend Engineer (Rust)",
        "",
        "Location: remote within Europe, or our Utrecht office",
        "",
        "What you'll do",
        "- Build and operate the services behind our route-planning app",
        "- Review code, write design notes, mentor two junior engineers",
        "",
        "What we offer",
        "- 28 days of holiday, a learning budget, a bike lease",
        "",
        "Apply with a short note about something you built that you are proud of.",
    ]) + "\n", "other")
    corpus.add("other-07-event-schedule.json", json.dumps({
        "event": "Open Source Summit Utrecht",
        "days": [
            {"date": "2026-05-12", "talks": [{"time": "09:30", "title": "Opening keynote"},
                                             {"time": "11:00", "title": "Async Rust in practice"}]},
            {"date": "2026-05-13", "talks": [{"time": "10:00", "title": "Community panel"}]},
        ],
    }, indent=2) + "\n", "other")
    corpus.add("other-08-inventory.csv", csv_text([
        ["sku", "product", "colour", "stock", "warehouse"],
        ["MUG-01", "Enamel mug", "blue", "140", "Rotterdam"],
        ["MUG-02", "Enamel mug", "red", "95", "Rotterdam"],
        ["BAG-11", "Canvas tote", "natural", "310", "Antwerp"],
        ["CAP-07", "Wool cap", "grey", "42", "Antwerp"],
    ]), "other")


# ---------------------------------------------------------------------------------------------
# Real documents (copied, not generated): labels derived from their expected JSON
# ---------------------------------------------------------------------------------------------

def real_documents(corpus):
    real = os.path.join(corpus.root, "real")
    invoices_dir = os.path.join(real, "invoices")
    if os.path.isdir(invoices_dir):
        for name in sorted(os.listdir(invoices_dir)):
            stem, ext = os.path.splitext(name)
            if ext not in (".pdf", ".txt") or not os.path.exists(os.path.join(invoices_dir, stem + ".json")):
                continue
            # Only the doc type lives here: `compliance eval` reads the fields from the
            # expected JSON itself, so invoice2data's file stays the one source of truth.
            corpus.labels["real/invoices/" + name] = {
                "doc_type": "invoice",
                "expected_json": "real/invoices/" + stem + ".json",
                "fields": {},
            }
    tax_dir = os.path.join(real, "tax-forms")
    if os.path.isdir(tax_dir):
        for name in sorted(os.listdir(tax_dir)):
            if name.endswith(".pdf"):
                corpus.labels["real/tax-forms/" + name] = {"doc_type": "tax_form", "fields": {}}


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "events/corpus"
    corpus = Corpus(root)
    for make in (passports, national_ids, driving_licences, utility_bills, bank_statements,
                 invoices, tax_forms, kyc_applications, transaction_reports, consent_forms,
                 other_documents, real_documents):
        make(corpus)
    labels = {
        "about": "Labels of the evaluation corpus: written by scripts/make-corpus.py. doc_type is "
                 "the expected classification; fields is the subset of the clear extracted fields "
                 "(Fields::view(Disclosure::Clear)) the extractor should produce. For real "
                 "invoices the fields come from expected_json (invoice2data).",
        "documents": dict(sorted(corpus.labels.items())),
    }
    with open(os.path.join(root, "labels.json"), "w", encoding="utf-8") as f:
        json.dump(labels, f, indent=2, ensure_ascii=False)
        f.write("\n")
    counts = {}
    for label in corpus.labels.values():
        counts[label["doc_type"]] = counts.get(label["doc_type"], 0) + 1
    print("%d documents: %s" % (len(corpus.labels), ", ".join("%s %d" % kv for kv in sorted(counts.items()))))


if __name__ == "__main__":
    main()
