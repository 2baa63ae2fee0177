from shared.events import PARTITIONS, Event, Topic, dead_letter_topic, topic_name
from shared.messaging.admin import topic_plan


def test_every_topic_has_an_explicit_partition_count_and_a_dead_letter_topic() -> None:
    plan = topic_plan("talent.")
    for topic in Topic:
        name = topic_name(topic, "talent.")
        assert plan[name] == PARTITIONS[topic] >= 1
        assert plan[dead_letter_topic(name)] == 1
    assert len(plan) == 2 * len(Topic)


def test_every_event_lives_on_a_registered_topic_keyed_by_a_real_field() -> None:
    for model in Event.registry.values():
        assert model.topic in PARTITIONS
        assert model.key_field in model.model_fields, model.event_type
