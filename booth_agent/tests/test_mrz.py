import pytest

from booth_agent.demo_data import DEMO_TRAVELERS, TRAVELERS
from booth_agent.mrz import MRZAssembler
from booth_agent.sources.serial_reader import LineBuffer
from travelers.mrz import parse  # the server's parser (pure): the simulator's zones must be valid

TD3 = ["P<JORHADDAD<<SAMIR<<<<<<<<<<<<<<<<<<<<<<<<<<", "N1234567<7JOR8005171M3101012<<<<<<<<<<<<<<<4"]
TD1 = ["I<IRQA9381520<8<<<<<<<<<<<<<<<", "8806057M3304307IRQ<<<<<<<<<<<6", "HASSAN<<ALI<<<<<<<<<<<<<<<<<<<"]
TD2 = ["I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "D231458907UTO7408122F1204159<<<<<<<6"]


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def feed(assembler, lines):
    return [zone for line in lines if (zone := assembler.feed(line))]


@pytest.mark.parametrize("lines", [TD3, TD1, TD2])
def test_zones_by_line_length(lines):
    assert feed(MRZAssembler(), [line + "\r\n" for line in lines]) == ["\n".join(lines)]


def test_keyboard_wedge_noise_is_cleaned():
    zone = feed(MRZAssembler(), ["\x02 " + TD3[0].lower() + " \x03", "", TD3[1] + "\r"])
    assert zone == ["\n".join(TD3)]


def test_a_line_of_another_length_starts_a_new_zone():
    assert feed(MRZAssembler(), [TD1[0], TD3[0], TD3[1]]) == ["\n".join(TD3)]


def test_garbage_resets():
    assert feed(MRZAssembler(), [TD3[0], "hello world!", TD3[1]]) == []


def test_incomplete_lines_are_forgotten_after_the_timeout():
    clock = Clock()
    assembler = MRZAssembler(timeout=2, clock=clock)
    assert assembler.feed(TD1[0]) is None
    clock.now = 10  # a stray line, then the next document long after
    assert feed(assembler, TD1) == ["\n".join(TD1)]


def test_a_whole_zone_without_separators():
    assert MRZAssembler().feed("".join(TD3)) == "\n".join(TD3)
    assert MRZAssembler().feed_text("\r\n".join(TD1) + "\r\n") == ["\n".join(TD1)]


def test_serial_chunks_split_lines_anywhere():
    buffer, assembler = LineBuffer(), MRZAssembler()
    data = ("\r\n".join(TD3) + "\r\n").encode()
    zones = []
    for i in range(0, len(data), 7):
        for line in buffer.feed(data[i:i + 7]):
            if zone := assembler.feed(line):
                zones.append(zone)
    assert zones == ["\n".join(TD3)]
    # A reader that ends its last line with nothing: the read timeout completes it.
    assert buffer.feed(b"\r\n".join(x.encode() for x in TD1)) == TD1[:2]
    assert buffer.flush() == [TD1[2]]


def test_the_simulated_documents_are_valid_zones():
    assert TRAVELERS[:3] == DEMO_TRAVELERS
    for traveler in TRAVELERS:
        result = parse(traveler.mrz)
        assert result.valid, (traveler.label, result.errors)
        assert feed(MRZAssembler(), traveler.mrz.split("\n")) == [traveler.mrz]

